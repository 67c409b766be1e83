/*
 * tests/tools/pause.c: the pod sandbox's process for the engine tests
 * (a CRI pod's "pause" container).  It holds the pod's namespaces, reaps
 * the children it inherits as PID 1 of a shared PID namespace, and exits
 * 0 on SIGINT or SIGTERM.  Built static: the image holds nothing else.
 */
#include <signal.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

static void on_stop(int sig)
{
	(void)sig;
	_exit(0);
}

static void on_child(int sig)
{
	(void)sig;
	while (waitpid(-1, NULL, WNOHANG) > 0)
		;
}

int main(void)
{
	struct sigaction sa = { .sa_handler = on_stop };

	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sa.sa_handler = on_child;
	sa.sa_flags = SA_NOCLDSTOP | SA_RESTART;
	sigaction(SIGCHLD, &sa, NULL);
	for (;;)
		pause();
	return EXIT_FAILURE;
}
