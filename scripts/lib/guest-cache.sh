# Shared by the guest builders (build-test-guest.sh, build-debian-guest.sh); sourced, not run.
# The caller sets LOG_PREFIX, OUTDIR and INPUTS_HASH, then ends with guest_cache_ensure <its build function>.
# A guest dir is complete when inputs.sha256 holds INPUTS_HASH and SHA256SUMS checks; a rebuild
# happens in a temporary dir next to OUTDIR that replaces OUTDIR only when complete.

log() { echo "$LOG_PREFIX: $*" >&2; }
die() { log "error: $*"; exit 1; }

guest_cache_is_valid() {
    [[ -f $OUTDIR/inputs.sha256 && $(cat "$OUTDIR/inputs.sha256") == "$INPUTS_HASH" ]] || return 1
    (cd "$OUTDIR" && sha256sum --quiet -c SHA256SUMS >/dev/null 2>&1)
}

# Takes the build lock on fd 9 (parallel test runs share one build) and drops leftovers of
# interrupted builds. Held until the script exits.
guest_cache_lock() {
    mkdir -p "$(dirname "$OUTDIR")"
    exec 9> "$OUTDIR.lock"
    flock 9
}

guest_cache_drop_leftovers() {
    local leftover
    for leftover in "$(dirname "$OUTDIR")/.$(basename "$OUTDIR")".{build,old}.*; do
        [[ -e $leftover ]] || continue
        guest_cache_unmount_under "$leftover"
        rm -rf --one-file-system "$leftover"
    done
}

# A chroot-based build may die with proc/sys still mounted inside it; never rm -rf through a mount.
guest_cache_unmount_under() {
    local dir mount
    dir=$(readlink -f "$1")
    while read -r mount; do
        umount -l "$mount" 2>/dev/null || true
    done < <(awk -v d="$dir/" 'index($2, d) == 1 { print $2 }' /proc/self/mounts | sort -r)
}

# Creates BUILD_TMP next to OUTDIR, removed (mounts first) when the script exits.
guest_cache_begin_build() {
    local parent
    parent=$(dirname "$OUTDIR")
    BUILD_TMP=$(mktemp -d "$parent/.$(basename "$OUTDIR").build.XXXXXX")
    trap 'guest_cache_unmount_under "$BUILD_TMP"; rm -rf --one-file-system "$BUILD_TMP"' EXIT
}

# Seals dir $1 (the files named after it get checksums, inputs.sha256 is written last) and swaps it in
# as OUTDIR. Between the two renames OUTDIR is absent (never half-built); the next run rebuilds.
guest_cache_publish() {
    local out=$1 parent old
    shift
    (cd "$out" && sha256sum "$@" > SHA256SUMS)
    echo "$INPUTS_HASH" > "$out/inputs.sha256"
    chmod 0444 "$out"/*
    parent=$(dirname "$OUTDIR")
    old="$parent/.$(basename "$OUTDIR").old.$$"
    [[ -e $OUTDIR ]] && mv -T "$OUTDIR" "$old"
    mv -T "$out" "$OUTDIR"
    rm -rf "$old"
}

# The tail every guest builder shares: under the build lock, keep OUTDIR when it is complete for
# INPUTS_HASH, otherwise drop leftovers of interrupted builds and run the builder's function $1 (which
# ends with guest_cache_publish). Prints OUTDIR, the only line on stdout, so callers can do
# dir=$(scripts/build-...-guest.sh).
guest_cache_ensure() {
    local build_function=$1
    guest_cache_lock
    if guest_cache_is_valid; then
        log "up to date: $OUTDIR"
    else
        guest_cache_drop_leftovers
        "$build_function"
    fi
    echo "$OUTDIR"
}
