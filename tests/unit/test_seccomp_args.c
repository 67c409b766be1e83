/* Unit tests for src/process/seccomp.c: argument conditions (every operator, two
 * conditions on one argument, conditions on two arguments).  Harness in
 * seccomp_harness.c.
 * Prints "ok - name" / "not ok - name: reason", then "N passed, N failed". */
#include <errno.h>
#include <stdio.h>

#include "seccomp_harness.h"

static void t_op(const char *op, uint64_t value, uint64_t value_two, const int match[3])
{
	char name[128];
	int errs[3], i;
	struct sk_seccomp_syscall *rr;
	struct cfg c;
	struct res r;

	snprintf(name, sizeof(name), "args: %s", op);
	cfg_init(&c, "SCMP_ACT_ALLOW");
	rr = rule1(&c, "SCMP_ACT_ERRNO", "close");
	set_errno(rr, EXDEV);
	add_arg(rr, 0, op, value, value_two);
	if (run_ok(name, &c, c_close3, &r) < 0)
		return;
	for (i = 0; i < 3; i++)
		errs[i] = match[i] ? EXDEV : EBADF;
	expect_errnos(name, &r, errs, 3);
}

static void t_ops(void)
{
	static const int eq[] = { 0, 1, 0 }, ne[] = { 1, 0, 1 }, lt[] = { 1, 0, 0 },
		le[] = { 1, 1, 0 }, gt[] = { 0, 0, 1 }, ge[] = { 0, 1, 1 },
		masked[] = { 0, 0, 1 };

	t_op("SCMP_CMP_EQ", FD_MID, 0, eq);
	t_op("SCMP_CMP_NE", FD_MID, 0, ne);
	t_op("SCMP_CMP_LT", FD_MID, 0, lt);
	t_op("SCMP_CMP_LE", FD_MID, 0, le);
	t_op("SCMP_CMP_GT", FD_MID, 0, gt);
	t_op("SCMP_CMP_GE", FD_MID, 0, ge);
	/* value is the mask, valueTwo the datum: (fd & 3) == 1 only for 1001
	 * (swapped, (fd & 1) == 1 would match 999 and 1001) */
	t_op("SCMP_CMP_MASKED_EQ", 3, 1, masked);
}

static void t_same_arg_twice(void)
{
	const char *name = "two conditions on one arg: one rule each (runc), allow only arg0 in range";
	static const int errs[] = { EXDEV, EBADF, EXDEV };
	struct sk_seccomp_syscall *rr;
	struct cfg c;
	struct res r;

	/* deny close() when fd < 1000 OR fd > 1000: only 1000 passes */
	cfg_init(&c, "SCMP_ACT_ALLOW");
	rr = rule1(&c, "SCMP_ACT_ERRNO", "close");
	set_errno(rr, EXDEV);
	add_arg(rr, 0, "SCMP_CMP_LT", FD_MID, 0);
	add_arg(rr, 0, "SCMP_CMP_GT", FD_MID, 0);
	if (run_ok(name, &c, c_close3, &r) == 0)
		expect_errnos(name, &r, errs, 3);
}

static void t_two_args_and(void)
{
	const char *name = "conditions on different args are AND'ed";
	static const int errs[] = { EXDEV, EBADF, EBADF };
	struct sk_seccomp_syscall *rr;
	struct cfg c;
	struct res r;

	cfg_init(&c, "SCMP_ACT_ALLOW");
	rr = rule1(&c, "SCMP_ACT_ERRNO", "dup3");
	set_errno(rr, EXDEV);
	add_arg(rr, 0, "SCMP_CMP_EQ", FD_MID, 0);
	add_arg(rr, 1, "SCMP_CMP_EQ", 2000, 0);
	if (run_ok(name, &c, c_dup3, &r) == 0)
		expect_errnos(name, &r, errs, 3);
}

int main(void)
{
	setvbuf(stdout, NULL, _IOLBF, 0);

	t_ops();
	t_same_arg_twice();
	t_two_args_and();

	printf("%d passed, %d failed\n", passed, failed);
	return failed ? 1 : 0;
}
