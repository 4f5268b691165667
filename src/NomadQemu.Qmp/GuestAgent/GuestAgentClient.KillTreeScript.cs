namespace NomadQemu.Qmp.GuestAgent;

// The POSIX shell script behind KillProcessTreeAsync (run as: sh -c SCRIPT qga-kill-tree PID).
//
// Why it looks like this:
// - Only a direct child of the agent may be killed ($PPID of this script is the agent, which started both),
//   so a pid recycled after the process ended is never hit. Exit 1 = not ours / gone, 2 = bad argument.
// - guest-exec children share the agent's process group, so a group kill would take the agent down: the tree is
//   found through /proc/*/stat instead. Each level is stopped (SIGSTOP) before its children are looked up, so
//   nothing can fork away while the tree is being walked; then the whole tree is SIGKILLed at once.
// - Only builtins (read, kill, case, set) and /proc: works with dash, bash and busybox ash. The stat line is
//   read with `read` (a regular builtin) so that a process vanishing mid-walk is not a fatal redirection error;
//   the parent pid is the 2nd field after the last ") " (the command name may contain spaces and parentheses).
public sealed partial class GuestAgentClient
{
    internal const string KillTreeScript = """
        root=$1
        case $root in '' | *[!0-9]* | 0 | 1) exit 2 ;; esac
        parent_of() {
            line=
            read -r line 2>/dev/null <"$1"
            set -- ${line##*") "}
            parent=${2-}
        }
        parent_of /proc/"$root"/stat
        [ "$parent" = "$PPID" ] || exit 1
        kill -STOP "$root" 2>/dev/null || exit 1
        tree=$root
        level=$root
        while [ -n "$level" ]; do
            next=
            for stat in /proc/[0-9]*/stat; do
                parent_of "$stat"
                for pid in $level; do
                    if [ "$parent" = "$pid" ]; then
                        child=${stat#/proc/}
                        child=${child%/stat}
                        kill -STOP "$child" 2>/dev/null
                        next="$next $child"
                    fi
                done
            done
            tree="$tree$next"
            level=$next
        done
        kill -KILL $tree 2>/dev/null
        exit 0
        """;
}
