# Shared by scripts/test.sh and scripts/quickstart.sh (source it; it defines functions only).

SWIFTPOT_APT_PACKAGES=(libxml2-dev libopenblas-dev pkg-config)

# Install the Debian packages the build needs, only those that are missing.
swiftpot_install_packages() {
    local missing=() p
    for p in "${SWIFTPOT_APT_PACKAGES[@]}"; do
        dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
    done
    [[ ${#missing[@]} -eq 0 ]] && return 0
    if ! command -v apt-get >/dev/null 2>&1; then
        echo "error: missing ${missing[*]} and no apt-get: install them (libxml2, OpenBLAS, pkg-config) by hand" >&2
        return 1
    fi
    local sudo=()
    if [[ $(id -u) -ne 0 ]]; then
        command -v sudo >/dev/null 2>&1 || { echo "error: need root to install ${missing[*]}" >&2; return 1; }
        sudo=(sudo)
    fi
    echo "+ apt-get install ${missing[*]}" >&2
    "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get update -q >&2
    "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "${missing[@]}" >&2
}

# Put a Swift toolchain on PATH (it lives in /opt/swift on the project's machines).
swiftpot_find_swift() {
    command -v swift >/dev/null 2>&1 && return 0
    local d
    for d in /opt/swift/usr/bin /usr/share/swift/usr/bin "$HOME/.swiftly/bin"; do
        if [[ -x "$d/swift" ]]; then
            export PATH="$d:$PATH"
            return 0
        fi
    done
    echo "error: swift not found (looked on PATH and in /opt/swift/usr/bin)" >&2
    return 1
}

swiftpot_setup() {
    swiftpot_install_packages
    swiftpot_find_swift
    # OpenBLAS threads would fight the interpreter's own threads (and the 2-core CI machine).
    export OPENBLAS_NUM_THREADS="${OPENBLAS_NUM_THREADS:-1}"
}
