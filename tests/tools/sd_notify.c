/* sd-notify MESSAGE: send MESSAGE as one datagram to $NOTIFY_SOCKET (what
 * sd_notify(3) does), for the NOTIFY_SOCKET tests.  Built static and copied
 * into the busybox rootfs by the test that needs it. */
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>

int main(int argc, char **argv)
{
	struct sockaddr_un addr = { .sun_family = AF_UNIX };
	const char *path = getenv("NOTIFY_SOCKET");
	socklen_t len;
	int fd;

	if (argc != 2 || !path || strlen(path) >= sizeof(addr.sun_path)) {
		fprintf(stderr, "usage: NOTIFY_SOCKET=PATH sd-notify MESSAGE\n");
		return 2;
	}
	strcpy(addr.sun_path, path);
	len = (socklen_t)(offsetof(struct sockaddr_un, sun_path) + strlen(path) + 1);
	if (path[0] == '@') {
		addr.sun_path[0] = '\0';
		len--;
	}
	fd = socket(AF_UNIX, SOCK_DGRAM, 0);
	if (fd < 0 || sendto(fd, argv[1], strlen(argv[1]), 0, (struct sockaddr *)&addr, len) < 0) {
		perror("sd-notify");
		return 1;
	}
	return 0;
}
