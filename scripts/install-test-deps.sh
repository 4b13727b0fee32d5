#!/usr/bin/env bash
# Installs what the sandbox tests (tests/sandbox/) need on a Debian bookworm machine:
#   - nsd      : the real authoritative DNS server the DNS tests query
#   - openssl  : generates the throwaway CA and certificates for the SMTP tests
#   - libsisimai-perl : sisimai, the reference bounce classifier, as the differential oracle
#                of tests/diagnose/corpus.test.ts and the diagnose bench (bookworm has 4.25)
#   - moto     : AWS IAM / STS / Secrets Manager server mode. python3-moto is only in
#                trixie, so the single .deb is fetched WITHOUT adding trixie to the
#                system's sources and unpacked into .cache/moto/ (git-ignored); its
#                dependencies come from bookworm.
#
# Idempotent: a second run does no apt work and finishes in about a second.
# Quiet unless something fails; then it prints the failing step and its output.
# Starts no services. Needs root only when Debian packages are missing; fetching moto into
# .cache works as any user who can write the project directory.
#
# The trixie package comes from the same Debian archive the machine's own apt sources use
# (so a company mirror keeps working); MAIL_INFRA_DEBIAN_MIRROR overrides it.
#
# Usage: bash scripts/install-test-deps.sh   (npm test runs it first, as its pretest step)
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
CACHE="$ROOT/.cache/moto"
SITE="$CACHE/usr/lib/python3/dist-packages"
PYTHON=/usr/bin/python3 # Debian's python: the apt-installed dependencies live there.
KEYRING=/usr/share/keyrings/debian-archive-keyring.gpg

APT_PACKAGES=(
  nsd
  openssl
  libsisimai-perl
  python3
  python3-boto3 python3-botocore python3-werkzeug python3-flask python3-flask-cors
  python3-xmltodict python3-responses python3-jinja2 python3-dateutil
  python3-cryptography python3-yaml python3-requests python3-antlr4
)

export DEBIAN_FRONTEND=noninteractive

WORK="$(mktemp -d "${TMPDIR:-/tmp}/install-test-deps.XXXXXX")"
LOG="$WORK/log"
: >"$LOG"
POLICY_RC_CREATED=""
cleanup() {
  if [[ -n "$POLICY_RC_CREATED" ]]; then rm -f /usr/sbin/policy-rc.d; fi
  rm -rf "$WORK"
}
trap cleanup EXIT

fail() {
  echo "install-test-deps: $*" >&2
  if [[ -s "$LOG" ]]; then
    echo "---- output of the failing step (last 60 lines) ----" >&2
    tail -n 60 "$LOG" >&2
  fi
  exit 1
}

# run DESCRIPTION CMD...: runs CMD with its output captured; on failure prints it and exits.
run() {
  local what="$1"
  shift
  : >"$LOG"
  "$@" >>"$LOG" 2>&1 || fail "$what failed (command: $*)"
}

need_root() {
  [[ "$(id -u)" -eq 0 ]] || fail "$1 needs root, and this is not root. Run once: sudo bash scripts/install-test-deps.sh   then run npm test again."
}

# The Debian archive this machine installs its own release from, read from its apt sources
# (one-line and deb822 formats alike, through apt itself).
debian_mirror() {
  if [[ -n "${MAIL_INFRA_DEBIAN_MIRROR:-}" ]]; then
    echo "${MAIL_INFRA_DEBIAN_MIRROR%/}"
    return
  fi
  local codename
  codename="$(. /etc/os-release && echo "${VERSION_CODENAME:-}")"
  [[ -n "$codename" ]] || fail "cannot tell this machine's Debian release from /etc/os-release; set MAIL_INFRA_DEBIAN_MIRROR to your Debian archive's URL."
  local uri
  uri="$(apt-get indextargets --no-release-info --format '$(REPO_URI) $(RELEASE) $(COMPONENT)' 2>/dev/null |
    awk -v want="$codename" '$2 == want && $3 == "main" { print $1; exit }')"
  [[ -n "$uri" ]] || fail "no apt source serves Debian $codename main on this machine (see /etc/apt/sources.list and /etc/apt/sources.list.d/); add one, or set MAIL_INFRA_DEBIAN_MIRROR to your Debian archive's URL."
  echo "${uri%/}"
}

# ---------------------------------------------------------------------------------------
# 1. Debian packages from the system's own (bookworm) sources.
# ---------------------------------------------------------------------------------------
command -v apt-get >/dev/null && command -v dpkg-query >/dev/null ||
  fail "the test servers come from Debian packages (${APT_PACKAGES[*]}) and python3-moto, and this machine has no apt. Run the tests on Debian bookworm (or in a Debian container)."

missing=()
for pkg in "${APT_PACKAGES[@]}"; do
  status="$(dpkg-query -W -f='${db:Status-Status}' "$pkg" 2>/dev/null || true)"
  [[ "$status" == "installed" ]] || missing+=("$pkg")
done

if ((${#missing[@]} > 0)); then
  need_root "Installing ${missing[*]}"
  # Keep package scripts from starting services (nsd's default config would bind port 53).
  # Docker images ship this file already; create it only for the duration of the install.
  if [[ ! -e /usr/sbin/policy-rc.d ]]; then
    printf '#!/bin/sh\nexit 101\n' >/usr/sbin/policy-rc.d
    chmod 755 /usr/sbin/policy-rc.d
    POLICY_RC_CREATED=1
  fi
  nsd_was_installed=""
  if dpkg-query -W -f='${db:Status-Status}' nsd 2>/dev/null | grep -qx installed; then nsd_was_installed=1; fi

  run "apt-get update" apt-get update -qq
  run "apt-get install ${missing[*]}" \
    apt-get install -y -qq --no-install-recommends "${missing[@]}"

  # On a machine booted with systemd, the package enables nsd.service for the next boot.
  # The tests run their own nsd on a loopback port; a system nsd on :53 is not wanted.
  if [[ -z "$nsd_was_installed" && -d /run/systemd/system ]] && command -v systemctl >/dev/null; then
    run "disabling the system nsd service" systemctl disable --now nsd.service
  fi
fi

[[ -x "$PYTHON" ]] || fail "$PYTHON is missing although python3 is installed; the moto server needs Debian's python."

# ---------------------------------------------------------------------------------------
# 2. python3-moto from trixie, unpacked into .cache/moto (never installed system-wide).
# ---------------------------------------------------------------------------------------
moto_works() {
  [[ -f "$SITE/moto/__init__.py" ]] &&
    PYTHONPATH="$SITE" "$PYTHON" -c "import moto.server" >/dev/null 2>&1
}

moto_verified=""
if moto_works; then
  moto_verified=1
else
  mkdir -p "$ROOT/.cache"
  exec 9>"$ROOT/.cache/moto.lock"
  flock 9 # another run may be doing the same thing right now
  if ! moto_works; then
    apt_dir="$WORK/apt"
    mkdir -p "$apt_dir/lists/partial" "$apt_dir/cache/archives/partial" "$apt_dir/download"
    mirror="$(debian_mirror)"
    echo "deb [signed-by=$KEYRING] $mirror trixie main" >"$apt_dir/trixie.list"
    # A private sources list, lists dir and package cache: the system's apt state is not
    # touched, and trixie never becomes an install candidate for this machine.
    apt_opts=(
      -o "Dir::Etc::sourcelist=$apt_dir/trixie.list"
      -o "Dir::Etc::sourceparts=-"
      -o "Dir::State::Lists=$apt_dir/lists"
      -o "Dir::Cache=$apt_dir/cache"
      -o "APT::Get::List-Cleanup=0"
    )
    # apt downloads as the unprivileged _apt user; let it write into the download dir.
    chmod 755 "$WORK" "$apt_dir"
    chmod 777 "$apt_dir/download"
    run "apt-get update (private list: trixie main from $mirror)" apt-get -qq "${apt_opts[@]}" update
    (cd "$apt_dir/download" && run "apt-get download python3-moto" apt-get -qq "${apt_opts[@]}" download python3-moto)
    deb="$(find "$apt_dir/download" -maxdepth 1 -name 'python3-moto_*.deb' | head -n 1)"
    [[ -n "$deb" ]] || fail "apt-get download python3-moto produced no .deb"

    staging="$ROOT/.cache/moto.staging"
    rm -rf "$staging"
    run "dpkg -x $deb" dpkg -x "$deb" "$staging"
    dpkg-deb -f "$deb" Version >"$staging/VERSION"
    rm -rf "$CACHE"
    mv "$staging" "$CACHE"
  fi
  flock -u 9
fi

# ---------------------------------------------------------------------------------------
# 3. Smoke check with Debian's python, exactly as tests/sandbox/moto.ts starts it.
# ---------------------------------------------------------------------------------------
if [[ -z "$moto_verified" ]]; then
  : >"$LOG"
  PYTHONPATH="$SITE" "$PYTHON" -c "import moto.server" >>"$LOG" 2>&1 ||
    fail "moto does not import with $PYTHON and PYTHONPATH=$SITE; delete .cache/moto and re-run"
fi
command -v nsd >/dev/null || [[ -x /usr/sbin/nsd ]] || fail "nsd is not installed"
command -v openssl >/dev/null || fail "openssl is not installed"
perl -MSisimai -e 1 >/dev/null 2>&1 || fail "libsisimai-perl is installed but perl cannot load Sisimai (perl -MSisimai -e 1 fails)"
