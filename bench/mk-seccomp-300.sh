#!/bin/sh
# Writes bench/seccomp-300.json: an allow-list profile of 300 single-syscall rules
# (default action: EPERM), like a Docker-default profile split one name per rule.
# Names: every x86_64 syscall in the kernel headers, minus the ones Docker's default
# profile denies (mount, ptrace, bpf, kexec, modules...), first 300 in number order.
set -eu
out=${1:-$(dirname "$0")/seccomp-300.json}
hdr=/usr/include/x86_64-linux-gnu/asm/unistd_64.h
deny=' acct add_key bpf clock_adjtime clock_settime create_module delete_module
 finit_module get_kernel_syms get_mempolicy init_module ioperm iopl kcmp kexec_file_load
 kexec_load keyctl lookup_dcookie mbind mount move_pages nfsservctl open_by_handle_at
 perf_event_open personality pivot_root process_vm_readv process_vm_writev ptrace
 query_module quotactl reboot request_key set_mempolicy setns settimeofday swapon swapoff
 sysfs _sysctl umount2 unshare uselib userfaultfd ustat afs_syscall tuxcall
 security getpmsg putpmsg vserver epoll_ctl_old epoll_wait_old fsopen fsconfig fsmount
 fspick move_mount open_tree mount_setattr quotactl_fd  name_to_handle_at '
names=$(sed -n 's/^#define __NR_\([a-z0-9_]*\) \([0-9]*\)$/\2 \1/p' "$hdr" | sort -n |
	while read -r nr name; do
		case "$deny" in *" $name "* | *" $name
"*) continue ;; esac
		echo "$name"
	done | head -n 300)
n=$(echo "$names" | wc -l)
[ "$n" -eq 300 ] || { echo "only $n syscall names" >&2; exit 1; }
echo "$names" | jq -R . | jq -s '{
  defaultAction: "SCMP_ACT_ERRNO",
  defaultErrnoRet: 1,
  architectures: ["SCMP_ARCH_X86_64", "SCMP_ARCH_X86", "SCMP_ARCH_X32"],
  syscalls: [ .[] | { names: [.], action: "SCMP_ACT_ALLOW" } ]
}' > "$out"
echo "wrote $out: $(jq '.syscalls | length' "$out") rules" >&2
