#!/usr/bin/env bash
# Builds test binaries now and runs them later, as go test would have run
# them: make test links the race-instrumented test binaries in its first
# phase, where unit's tests mostly wait and leave the cores idle, and its
# race phase only runs them. go test caches compiled packages but not
# linked test binaries, so a `go test -race` of 40-odd packages linked
# every binary again on the race phase's clock (the steps binary alone is
# most of a minute of CPU on the 2-core machine).
#
#   scripts/testbins.sh build DIR PKG...
#       go test -c $TESTBINFLAGS of the packages into DIR, with a manifest
#       (DIR/manifest) of which binary is which package's.
#   scripts/testbins.sh run DIR PKG... [-- TEST-BINARY FLAGS]
#       runs the packages' binaries from DIR, $TESTBINP at once, each in its
#       package's folder with -test.paniconexit0 -test.count=1
#       -test.timeout $TESTBINTIMEOUT and the flags after --; prints go
#       test's summary line per package ("ok", or the binary's output and
#       "FAIL"); exits 1 when one failed. A package missing from the
#       manifest (DIR built for other packages, or not built) is built
#       first, so `run` alone works; a binary in DIR is not rebuilt when
#       the sources change (make race builds again each time).
#
# PKG is anything go list takes (./steps, ./sim/...).
set -euo pipefail
cd "$(dirname "$0")/.."
mode=${1:-}
dir=${2:-}
case $mode in build|run) ;; *) echo "usage: $0 build|run DIR PKG... [-- FLAGS]" >&2; exit 2 ;; esac
[[ -n $dir ]] || { echo "$0: no DIR" >&2; exit 2; }
shift 2
pkgs=()
args=()
while (($#)); do
  if [[ $1 == -- ]]; then shift; args=("$@"); break; fi
  pkgs+=("$1"); shift
done
((${#pkgs[@]})) || { echo "$0 $mode: no packages" >&2; exit 2; }
TESTBINFLAGS=${TESTBINFLAGS-}
TESTBINP=${TESTBINP:-4}
TESTBINTIMEOUT=${TESTBINTIMEOUT:-30m}
mkdir -p "$dir"
dir=$(cd "$dir" && pwd)
manifest=$dir/manifest
touch "$manifest"

# list PKG...: "import-path folder package-name has-tests" per package.
list() {
  go list -f '{{.ImportPath}} {{.Dir}} {{.Name}} {{if or .TestGoFiles .XTestGoFiles}}1{{else}}0{{end}}' "$@"
}

# build <list lines on stdin>: go test -c of the packages into $dir. With
# several packages go test -c names each binary for its package's name, and
# refuses two of one name, so packages that share a name (fakes/lync,
# failback/lync) go to separate go commands, each into a folder of its own.
build() {
  local lines=() line path folder name tests n group_dirs=() i
  declare -A seen=()
  declare -A groups=()
  mapfile -t lines
  for line in "${lines[@]}"; do
    read -r path folder name tests <<<"$line"
    if [[ $tests == 0 ]]; then
      printf '%s\t%s\t-\n' "$path" "$folder" >>"$manifest"
      continue
    fi
    n=${seen[$name]:-0}
    seen[$name]=$((n + 1))
    if [[ -z ${group_dirs[$n]:-} ]]; then
      group_dirs[$n]=$(mktemp -d "$dir/g$n.XXXXXX")
    fi
    groups[$n]+=" $path"
    printf '%s\t%s\t%s\n' "$path" "$folder" "${group_dirs[$n]}/$name.test" >>"$manifest.new"
  done
  for i in "${!groups[@]}"; do
    # shellcheck disable=SC2086 # TESTBINFLAGS and the group are word lists
    go test -c $TESTBINFLAGS -o "${group_dirs[$i]}/" ${groups[$i]}
  done
  if [[ -f $manifest.new ]]; then
    cat "$manifest.new" >>"$manifest"
    rm -f "$manifest.new"
  fi
}

if [[ $mode == build ]]; then
  rm -rf "$dir"/g*.*
  : >"$manifest"
  rm -f "$manifest.new"
  list "${pkgs[@]}" | build
  exit 0
fi

# entry <import path>: the package's manifest line.
entry() { awk -F'\t' -v p="$1" '$1 == p { print; exit }' "$manifest"; }

# run: build what the manifest lacks, then run.
mapfile -t wanted < <(list "${pkgs[@]}")
missing=()
for line in "${wanted[@]}"; do
  read -r path _ <<<"$line"
  [[ -n $(entry "$path") ]] || missing+=("$line")
done
if ((${#missing[@]})); then
  printf '%s\n' "${missing[@]}" | build
fi

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
status=0

# one <n> <import path>: runs a package's binary; its output goes to
# $work/<n>.out, printed whole when it ends (jobs do not interleave).
one() {
  local n=$1 path=$2 folder bin start rc=0 secs
  IFS=$'\t' read -r _ folder bin < <(entry "$path")
  if [[ $bin == - ]]; then
    printf '?   \t%s\t[no test files]\n' "$path" >"$work/$n.out"
    echo 0 >"$work/$n.rc"
    return
  fi
  start=$EPOCHREALTIME
  (cd "$folder" && "$bin" -test.paniconexit0 -test.count=1 -test.timeout "$TESTBINTIMEOUT" ${args[@]+"${args[@]}"}) >"$work/$n.log" 2>&1 || rc=$?
  secs=$(awk -v a="$start" -v b="$EPOCHREALTIME" 'BEGIN { print b - a }')
  if ((rc == 0)); then
    printf 'ok  \t%s\t%.3fs\n' "$path" "$secs" >"$work/$n.out"
  else
    { cat "$work/$n.log"; printf 'FAIL\t%s\t%.3fs\n' "$path" "$secs"; } >"$work/$n.out"
  fi
  echo $rc >"$work/$n.rc"
}

finish() {
  cat "$work/$1.out"
  [[ $(cat "$work/$1.rc" 2>/dev/null) == 0 ]] || status=1
}

n=0
running=()
for line in "${wanted[@]}"; do
  read -r path _ <<<"$line"
  n=$((n + 1))
  if ((${#running[@]} >= TESTBINP)); then
    wait -n "${running[@]%%:*}" || true
    still=()
    for r in "${running[@]}"; do
      if kill -0 "${r%%:*}" 2>/dev/null; then still+=("$r"); else wait "${r%%:*}" || true; finish "${r#*:}"; fi
    done
    running=(${still[@]+"${still[@]}"})
  fi
  one $n "$path" &
  running+=("$!:$n")
done
for r in ${running[@]+"${running[@]}"}; do
  wait "${r%%:*}" || true
  finish "${r#*:}"
done
exit $status
