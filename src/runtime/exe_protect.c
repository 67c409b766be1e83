/* CVE-2019-5736: a process in the container must never get a writable
 * handle on the skiff binary through /proc/<pid>/exe.
 *
 * skiff's container init is a fork of skiff (no re-exec), so until its
 * execve every process skiff puts into a container has the host's skiff
 * binary as /proc/<pid>/exe; and an image whose entrypoint is a script
 * starting with "#!/proc/self/exe" makes execve run that binary as the
 * container's own process.  A container process that can see such a
 * process opens /proc/<pid>/exe (read-only, or O_PATH), waits until no
 * process runs the binary any more (ETXTBSY until then) and reopens
 * /proc/self/fd/N for writing: the next skiff on the host runs its code.
 *
 * Who can see the process:
 *   - `create`/`run` with a new pid namespace: nobody but the init itself;
 *     the only processes that ever join that namespace are skiff's own
 *     (exec, protected below) and the container's, and every one of them
 *     dies with the init, so no handle outlives a process that runs the
 *     binary.  Nothing to do: the common path costs nothing.
 *   - `exec` (a child of skiff joins the container's pid namespace), and
 *     `create`/`run` whose config joins an existing pid namespace by path
 *     or keeps the host's (no pid namespace): the container's other
 *     processes see it and outlive it.
 * For those, sk_exe_protect() re-executes skiff from a sealed memfd copy
 * of itself (runc's nsenter/cloned_binary.c approach) before anything
 * joins a namespace: /proc/<pid>/exe is then that copy, which cannot be
 * written, truncated or grown (F_SEAL_WRITE|SHRINK|GROW|SEAL), and the
 * host binary is out of reach.  The copy costs one copy_file_range and
 * one execve, on those commands only; it holds the binary up to the end
 * of its last segment, what execve reads: an unstripped build's debug
 * sections (two thirds of its size) are left out. */
#include <errno.h>
#include <fcntl.h>
#include <link.h>
#include <linux/memfd.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/sendfile.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "skiff.h"
#include "skiff/util.h"

#ifndef MFD_EXEC
#define MFD_EXEC 0x0010U
#endif
#ifndef F_SEAL_FUTURE_WRITE
#define F_SEAL_FUTURE_WRITE 0x0010
#endif

#define SEALS (F_SEAL_SEAL | F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_WRITE)

extern char **environ;

bool sk_exe_is_protected(void)
{
	_cleanup_close_ int fd = open("/proc/self/exe", O_RDONLY | O_CLOEXEC);
	int seals;

	if (fd < 0)
		return false;
	seals = fcntl(fd, F_GET_SEALS);
	return seals >= 0 && (seals & SEALS) == SEALS;
}

/* The bytes of the ELF file `fd` that execve and the dynamic loader read:
 * the headers and every segment (PT_LOAD and the rest, e.g. PT_NOTE);
 * section headers and debug sections after them are not needed.  The
 * whole file when its headers are not as expected. */
static off_t exec_size(int fd, off_t size)
{
	ElfW(Ehdr) eh;
	ElfW(Phdr) ph[64];
	off_t end;

	if (pread(fd, &eh, sizeof(eh), 0) != (ssize_t)sizeof(eh) ||
	    memcmp(eh.e_ident, ELFMAG, SELFMAG) || eh.e_phentsize != sizeof(ph[0]) ||
	    !eh.e_phnum || eh.e_phnum > SK_ARRAY_SIZE(ph) ||
	    pread(fd, ph, eh.e_phnum * sizeof(ph[0]), (off_t)eh.e_phoff) !=
		    (ssize_t)(eh.e_phnum * sizeof(ph[0])))
		return size;
	end = (off_t)(eh.e_phoff + eh.e_phnum * sizeof(ph[0]));
	for (int i = 0; i < eh.e_phnum; i++)
		if ((off_t)(ph[i].p_offset + ph[i].p_filesz) > end)
			end = (off_t)(ph[i].p_offset + ph[i].p_filesz);
	return end < size ? end : size;
}

static int sealed_copy(struct sk_error *err)
{
	_cleanup_close_ int src = open("/proc/self/exe", O_RDONLY | O_CLOEXEC);
	struct stat st;
	off_t left;
	int fd;

	if (src < 0 || fstat(src, &st) < 0)
		return sk_error_sys(err, "protect skiff binary: open /proc/self/exe");
	fd = memfd_create("skiff", MFD_CLOEXEC | MFD_ALLOW_SEALING | MFD_EXEC);
	if (fd < 0 && errno == EINVAL)      /* kernel < 6.3 has no MFD_EXEC */
		fd = memfd_create("skiff", MFD_CLOEXEC | MFD_ALLOW_SEALING);
	if (fd < 0)
		return sk_error_sys(err, "protect skiff binary: memfd_create");
	for (left = exec_size(src, st.st_size); left > 0;) {
		ssize_t n = copy_file_range(src, NULL, fd, NULL, (size_t)left, 0);

		if (n < 0 && (errno == EXDEV || errno == ENOSYS || errno == EINVAL))
			n = sendfile(fd, src, NULL, (size_t)left);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			if (n == 0)
				errno = EIO;
			sk_error_sys(err, "protect skiff binary: copy");
			close(fd);
			return -1;
		}
		left -= n;
	}
	if (fchmod(fd, 0500) < 0 || fcntl(fd, F_ADD_SEALS, SEALS) < 0) {
		sk_error_sys(err, "protect skiff binary: seal the copy");
		close(fd);
		return -1;
	}
	return fd;
}

int sk_exe_protect(char **argv, struct sk_error *err)
{
	int fd;

	if (sk_exe_is_protected())
		return 0;
	fd = sealed_copy(err);
	if (fd < 0)
		return -1;
	syscall(SYS_execveat, fd, "", argv, environ, AT_EMPTY_PATH);
	sk_error_sys(err, "protect skiff binary: execute the sealed copy");
	close(fd);
	return -1;
}

bool sk_exe_protect_needed(const struct sk_config *c)
{
	const struct sk_namespace *pid = sk_config_ns(c, SK_NS_PID);

	return !pid || pid->path;
}
