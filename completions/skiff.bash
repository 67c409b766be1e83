# bash completion for skiff(8): commands, their options, container ids
# (from `skiff list -q`), signals, files and directories.
# Installed by `make install` into bash-completion's completions dir.

_skiff_ids() {
	local root="$1"
	"${COMP_WORDS[0]}" ${root:+--root "$root"} list -q 2>/dev/null
}

_skiff() {
	local cur prev cmd= root= i
	COMPREPLY=()
	cur="${COMP_WORDS[COMP_CWORD]}"
	prev="${COMP_WORDS[COMP_CWORD - 1]}"

	local globals="--root --log --log-format --debug --cgroup-manager --systemd-cgroup --rootless --criu --version -v --help -h"
	local commands="create start run exec state kill delete list spec features pause resume update ps checkpoint restore events check sandbox help"

	# the command: the first word that is not a global option or its value
	for ((i = 1; i < COMP_CWORD; i++)); do
		case "${COMP_WORDS[i]}" in
		--root | --log | --log-format | --cgroup-manager | --rootless | --criu)
			[ "${COMP_WORDS[i]}" = --root ] && root="${COMP_WORDS[i + 1]}"
			i=$((i + 1)) ;;
		--root=*) root="${COMP_WORDS[i]#--root=}" ;;
		-*) ;;
		*) cmd="${COMP_WORDS[i]}"; break ;;
		esac
	done

	if [ -z "$cmd" ]; then
		case "$prev" in
		--root | --log) COMPREPLY=($(compgen -f -- "$cur")); return ;;
		--log-format) COMPREPLY=($(compgen -W "text json" -- "$cur")); return ;;
		--cgroup-manager) COMPREPLY=($(compgen -W "cgroupfs systemd disabled" -- "$cur")); return ;;
		--rootless) COMPREPLY=($(compgen -W "true false auto" -- "$cur")); return ;;
		esac
		COMPREPLY=($(compgen -W "$globals $commands" -- "$cur"))
		return
	fi

	local opts= ids=1
	case "$cmd" in
	create) opts="--bundle -b --pid-file --console-socket --pidfd-socket --no-pivot --preserve-fds --no-new-keyring" ;;
	run) opts="--bundle -b --pid-file --console-socket --pidfd-socket --no-pivot --preserve-fds --detach -d --keep --no-new-keyring" ;;
	start | pause | resume) opts="" ;;
	exec) opts="--process -p --console-socket --pidfd-socket --pid-file --cwd --user -u --cgroup --apparmor --process-label --env -e --cap -c --additional-gids -g --preserve-fds --tty -t --detach -d --no-new-privs --ignore-paused" ;;
	state) opts="" ;;
	kill) opts="--all -a" ;;
	delete) opts="--force -f" ;;
	list) opts="--format -f --quiet -q"; ids= ;;
	spec) opts="--bundle -b --rootless"; ids= ;;
	features) opts=""; ids= ;;
	update) opts="--resources -r --memory --memory-swap --memory-reservation --cpu-quota --cpu-period --cpu-share --cpu-burst --cpuset-cpus --cpuset-mems --pids-limit --blkio-weight --cpu-rt-period --cpu-rt-runtime --kernel-memory --kernel-memory-tcp" ;;
	ps) opts="--format -f" ;;
	events) opts="--stats --interval" ;;
	checkpoint) opts="--image-path --work-path --parent-path --leave-running --tcp-established --ext-unix-sk --shell-job --file-locks --pre-dump --manage-cgroups-mode --empty-ns --auto-dedup --lazy-pages --page-server --status-fd" ;;
	restore) opts="--image-path --work-path --bundle -b --detach -d --pid-file --console-socket --no-subreaper --no-pivot --tcp-established --ext-unix-sk --shell-job --file-locks --manage-cgroups-mode --empty-ns --auto-dedup --lazy-pages" ;;
	check) opts="--json"; ids= ;;
	sandbox) opts="--rootfs --bind --env --workdir --net --memory --cpus --pids --timeout --io-weight --no-limits --read-only --report --summary"; ids= ;;
	help) COMPREPLY=($(compgen -W "$commands" -- "$cur")); return ;;
	*) return ;;
	esac
	opts="$opts --help -h"

	case "$prev" in
	--bundle | -b | --rootfs | --workdir | --cwd | --bind | --image-path | --work-path | --parent-path)
		COMPREPLY=($(compgen -d -- "$cur")); return ;;
	--pid-file | --console-socket | --pidfd-socket | --process | -p | --resources | -r | --report)
		COMPREPLY=($(compgen -f -- "$cur")); return ;;
	--format | -f)
		[ "$cmd" = delete ] || { COMPREPLY=($(compgen -W "table json" -- "$cur")); return; } ;;
	--net) COMPREPLY=($(compgen -W "host none" -- "$cur")); return ;;
	--manage-cgroups-mode) COMPREPLY=($(compgen -W "soft full strict ignore" -- "$cur")); return ;;
	--empty-ns) COMPREPLY=($(compgen -W "network" -- "$cur")); return ;;
	--env | -e | --user | -u | --cap | -c | --additional-gids | -g | --memory | --cpus | --pids | \
	--timeout | --io-weight | --interval | --preserve-fds | --cgroup | --apparmor | --process-label | \
	--memory-swap | --memory-reservation | --cpu-* | --cpuset-* | --pids-limit | --blkio-weight | --kernel-memory*)
		return ;;
	esac

	if [ "$cmd" = sandbox ]; then
		# after the options: the command to run
		for ((i = i + 1; i < COMP_CWORD; i++)); do
			case "${COMP_WORDS[i]}" in
			--) COMPREPLY=($(compgen -c -- "$cur")); return ;;
			--summary | --no-limits | --read-only | --*=*) ;;
			--*) i=$((i + 1)) ;;
			*) COMPREPLY=($(compgen -f -- "$cur")); return ;;
			esac
		done
		[[ $cur == -* ]] || { COMPREPLY=($(compgen -c -- "$cur")); return; }
	fi
	if [[ $cur == -* ]]; then
		COMPREPLY=($(compgen -W "$opts" -- "$cur"))
	elif [ "$cmd" = kill ] && [ "$prev" != kill ] && [[ $prev != -* ]]; then
		COMPREPLY=($(compgen -W "TERM KILL INT HUP QUIT USR1 USR2 STOP CONT" -- "$cur"))
	elif [ -n "$ids" ]; then
		COMPREPLY=($(compgen -W "$(_skiff_ids "$root")" -- "$cur"))
	fi
}
complete -F _skiff skiff
