#!/usr/bin/env bash
# Installs ExitBrain as a systemd service (README "Deployment"). Safe to run again: files that are
# already in place are left alone, the jar and unit are replaced only when they differ, and the
# operator's configuration (/etc/exitbrain/*) is never overwritten.
set -euo pipefail

readonly SERVICE_USER=exitbrain
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo=$(dirname "$here")

usage() {
  cat <<EOF
Usage: deploy/install.sh [--prefix DIR] [--dry-run] [--jar FILE]

Installs:
  /opt/exitbrain/exitbrain.jar              the worker (from target/exitbrain.jar)
  /opt/exitbrain/README.md, exitbrain.env.example, redis-acl.conf, redis-acl-cluster.conf   reference copies
  /etc/systemd/system/exitbrain.service     the hardened systemd unit
  /etc/exitbrain/application.conf           HOCON settings      (only if missing)
  /etc/exitbrain/exitbrain.env              environment, e.g. REDIS_URL (only if missing)
  system user and group "$SERVICE_USER"               (useradd --system, if missing)
then runs "systemctl daemon-reload" when the unit changed. It does not enable or start the service.

Options:
  --prefix DIR   install under DIR instead of / (a throwaway root: no user, no systemctl,
                 no ownership changes; runs without root)
  --dry-run      print what would be done; write nothing
  --jar FILE     the jar to install (default: $repo/target/exitbrain.jar;
                 build it with: mvn -B -q package -DskipTests)
  -h, --help     this text

Exit status: 0 done (or nothing to do), 1 error, 2 bad usage.
EOF
}

die() {
  echo "install.sh: error: $*" >&2
  exit 1
}

usage_error() {
  echo "install.sh: $* (see deploy/install.sh --help)" >&2
  exit 2
}

prefix=""
dry_run=0
jar="$repo/target/exitbrain.jar"
while (($# > 0)); do
  case "$1" in
    -h | --help) usage; exit 0 ;;
    --dry-run) dry_run=1 ;;
    --prefix)
      (($# >= 2)) || usage_error "--prefix needs a directory"
      prefix=$2; shift ;;
    --prefix=*) prefix=${1#--prefix=} ;;
    --jar)
      (($# >= 2)) || usage_error "--jar needs a file"
      jar=$2; shift ;;
    --jar=*) jar=${1#--jar=} ;;
    *) usage_error "unknown argument: $1" ;;
  esac
  shift
done

if [[ -n $prefix ]]; then
  [[ $prefix == /* ]] || prefix="$PWD/$prefix"
  prefix=${prefix%/}
fi
# An empty prefix after trimming means "/" itself: a real installation.
real_root=0
[[ -z $prefix ]] && real_root=1

[[ -f $jar && -r $jar ]] || die "no jar at $jar; build it first (mvn -B -q package -DskipTests) or pass --jar FILE"
for source in "$here/exitbrain.service" "$here/exitbrain.env.example" "$here/redis-acl.conf" "$here/redis-acl-cluster.conf" \
              "$repo/conf/application.conf" "$repo/README.md"; do
  [[ -f $source ]] || die "missing $source: run install.sh from a complete ExitBrain checkout"
done
if ((real_root && !dry_run && EUID != 0)); then
  die "installing into / needs root: run it with sudo, or use --prefix DIR (throwaway root) or --dry-run"
fi

changed=0      # anything written at all
unit_changed=0

say() { printf '  %-13s %s\n' "$1" "$2"; }

# Does (or would) the real root have the service group? Only then are ownerships set.
group_available() {
  ((real_root)) && getent group "$SERVICE_USER" >/dev/null 2>&1
}

ensure_user() {
  if ((!real_root)); then
    say skip "system user $SERVICE_USER (--prefix: not created)"
  elif id -u "$SERVICE_USER" >/dev/null 2>&1; then
    say exists "system user $SERVICE_USER"
  elif ((dry_run)); then
    say "would add" "system user $SERVICE_USER (useradd --system)"
  else
    command -v useradd >/dev/null 2>&1 || die "useradd not found; create the system user $SERVICE_USER yourself"
    useradd --system --user-group --no-create-home --home-dir /nonexistent \
      --shell /usr/sbin/nologin --comment "ExitBrain worker" "$SERVICE_USER" \
      || die "useradd $SERVICE_USER failed"
    say added "system user $SERVICE_USER"
    changed=1
  fi
}

# ensure_dir PATH MODE [GROUP]
ensure_dir() {
  local dir="$prefix$1" mode=$2 group=${3:-}
  if [[ -d $dir ]]; then
    fix_attributes "$dir" "$mode" "$group"
    return
  fi
  [[ -e $dir ]] && die "$dir exists and is not a directory"
  if ((dry_run)); then
    say "would mkdir" "$dir"
    return
  fi
  mkdir -p "$dir" || die "cannot create $dir"
  chmod "$mode" "$dir"
  [[ -n $group ]] && group_available && chgrp "$group" "$dir"
  say mkdir "$dir"
  changed=1
}

# Sets mode and group on an existing path when they differ (real root only for the group).
fix_attributes() {
  local path=$1 mode=$2 group=${3:-}
  local current
  current=$(stat -c '%a' "$path")
  if [[ $current != "${mode#0}" ]]; then
    if ((dry_run)); then
      say "would chmod" "$mode $path (is $current)"
    else
      chmod "$mode" "$path"
      say chmod "$mode $path (was $current)"
      changed=1
    fi
  fi
  if [[ -n $group ]] && group_available && [[ $(stat -c '%G' "$path") != "$group" ]]; then
    if ((dry_run)); then
      say "would chgrp" "$group $path"
    else
      chgrp "$group" "$path"
      say chgrp "$group $path"
      changed=1
    fi
  fi
}

# replace_file SOURCE TARGET MODE: the installed copy always matches the source.
replace_file() {
  local source=$1 target="$prefix$2" mode=$3
  if [[ -f $target ]] && cmp -s "$source" "$target"; then
    say unchanged "$target"
    fix_attributes "$target" "$mode"
    return 0
  fi
  local verb=install
  [[ -e $target ]] && verb=update
  if ((dry_run)); then
    say "would $verb" "$target"
    return 1
  fi
  # A copy beside the target, then a rename: a running service never sees half a jar.
  install -m "$mode" "$source" "$target.install-tmp" || die "cannot write $target"
  mv -f "$target.install-tmp" "$target"
  say "$verb" "$target"
  changed=1
  return 1
}

# keep_file SOURCE TARGET MODE: installed once; an existing file is the operator's and stays.
keep_file() {
  local source=$1 target="$prefix$2" mode=$3
  if [[ -e $target ]]; then
    if cmp -s "$source" "$target"; then
      say unchanged "$target"
    else
      say keep "$target (exists; the operator's, not overwritten)"
    fi
    if [[ $(stat -c '%a' "$target") == *[1-7] ]]; then
      echo "install.sh: warning: $target is readable by every user; it may hold the Redis password" >&2
    fi
    return
  fi
  if ((dry_run)); then
    say "would install" "$target"
    return
  fi
  install -m "$mode" "$source" "$target" || die "cannot write $target"
  group_available && chgrp "$SERVICE_USER" "$target"
  say install "$target"
  changed=1
}

if ((dry_run)); then
  echo "install.sh: dry run, nothing is written; installing into ${prefix:-/}"
else
  echo "install.sh: installing into ${prefix:-/}"
fi

ensure_user
ensure_dir /opt/exitbrain 0755
ensure_dir /etc/systemd/system 0755
ensure_dir /etc/exitbrain 0750 "$SERVICE_USER"
replace_file "$jar" /opt/exitbrain/exitbrain.jar 0644 || true
replace_file "$repo/README.md" /opt/exitbrain/README.md 0644 || true
replace_file "$here/exitbrain.env.example" /opt/exitbrain/exitbrain.env.example 0644 || true
replace_file "$here/redis-acl.conf" /opt/exitbrain/redis-acl.conf 0644 || true
replace_file "$here/redis-acl-cluster.conf" /opt/exitbrain/redis-acl-cluster.conf 0644 || true
replace_file "$here/exitbrain.service" /etc/systemd/system/exitbrain.service 0644 || unit_changed=1
keep_file "$repo/conf/application.conf" /etc/exitbrain/application.conf 0640
keep_file "$here/exitbrain.env.example" /etc/exitbrain/exitbrain.env 0640

if ((real_root && unit_changed)); then
  if [[ -d /run/systemd/system ]] && command -v systemctl >/dev/null 2>&1; then
    if ((dry_run)); then
      say "would run" "systemctl daemon-reload"
    else
      systemctl daemon-reload || die "systemctl daemon-reload failed"
      say ran "systemctl daemon-reload"
    fi
  else
    say skip "systemctl daemon-reload (systemd is not running here)"
  fi
fi

if ((dry_run)); then
  echo "install.sh: dry run finished; nothing was written"
elif ((changed)); then
  echo "install.sh: done. Next: set REDIS_URL in ${prefix}/etc/exitbrain/exitbrain.env, then"
  echo "  systemctl enable --now exitbrain && systemctl status exitbrain"
else
  echo "install.sh: nothing to do; everything was already in place"
fi
