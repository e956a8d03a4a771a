# shellcheck shell=bash
# Shared by scripts/demo, scripts/produce and scripts/validate (sourced, not run):
#   - Redis commands through redis-cli (7.0 or later, for -e), or through a small RESP client in
#     bash when redis-cli is missing or older (EXITBRAIN_REDIS_CLI=builtin forces the latter);
#   - a private redis-server on a free port (the machine's, else the embedded-redis binary);
#   - the worker as a child process, stopped with SIGTERM.

EXITBRAIN_HOME=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
EXITBRAIN_JAR=${EXITBRAIN_JAR:-$EXITBRAIN_HOME/target/exitbrain.jar}
EMBEDDED_REDIS=redis-server-6.2.6-v5-linux-amd64
EMBEDDED_REDIS_JAR=${MAVEN_REPOSITORY:-$HOME/.m2/repository}/com/github/codemonstur/embedded-redis/1.4.4/embedded-redis-1.4.4.jar
PROGRAM=${PROGRAM:-$(basename "$0")}

die() {
  echo "$PROGRAM: error: $*" >&2
  exit 1
}

usage_error() {
  echo "$PROGRAM: $* (see $PROGRAM --help)" >&2
  exit 2
}

have() { command -v "$1" >/dev/null 2>&1; }

# on_exit FUNCTION: runs FUNCTION once, then exits with the script's status, on every way out: the
# end of the script, die, Ctrl-C (INT), TERM, HUP, and a reader that closed stdout early
# (`scripts/demo | head`): bash would die of that SIGPIPE without running any trap, leaving what it
# started running. Here it exits 141 (128 + SIGPIPE) through FUNCTION instead. FUNCTION runs
# without errexit, so that one failing step does not skip the others, and with stdout sent to
# /dev/null once it is known to be closed.
on_exit() {
  ON_EXIT_HANDLER=$1
  trap on_exit_run EXIT
  trap 'exit 141' PIPE
  trap 'echo; echo "$PROGRAM: interrupted" >&2; exit 130' INT TERM HUP
}

# shellcheck disable=SC2317 # run by the EXIT trap
on_exit_run() {
  local status=$?
  # A second Ctrl-C must not cut the clean-up short.
  trap '' INT TERM HUP
  trap - EXIT
  trap 'exec >/dev/null' PIPE
  set +e
  ((status == 141)) && exec >/dev/null
  "$ON_EXIT_HANDLER"
  exit "$status"
}

# ---------------------------------------------------------------------------------------------
# Redis URL and client

# The URL with its password replaced by ***, for printing.
mask_url() {
  sed -E 's#^(rediss?://)([^:@/]*:)?[^@/]*@#\1\2***@#' <<<"$1"
}

urldecode() {
  local s=${1//+/ }
  printf '%b' "${s//%/\\x}"
}

# use_redis URL: checks the URL and remembers host, port, user, password, database and TLS, the
# way lettuce reads them: redis://[[user:]password@]host[:port][/db].
use_redis() {
  local url=$1 rest auth hostport
  case $url in
    redis://*) R_TLS=0; rest=${url#redis://} ;;
    rediss://*) R_TLS=1; rest=${url#rediss://} ;;
    *) die "not a Redis URL (redis:// or rediss://): $(mask_url "$url")" ;;
  esac
  R_URL=$url R_USER="" R_PASS="" R_DB=0
  rest=${rest%%\?*}
  if [[ $rest == *@* ]]; then
    auth=${rest%@*}
    rest=${rest##*@}
    if [[ $auth == *:* ]]; then
      R_USER=$(urldecode "${auth%%:*}")
      R_PASS=$(urldecode "${auth#*:}")
    else
      R_PASS=$(urldecode "$auth")
    fi
  fi
  hostport=${rest%%/*}
  if [[ $rest == */* && -n ${rest#*/} ]]; then
    R_DB=${rest#*/}
  fi
  if [[ $hostport == \[*\]* ]]; then
    R_HOST=${hostport%%]*}
    R_HOST=${R_HOST#[}
    hostport=${hostport#*]}
    R_PORT=${hostport#:}
  else
    R_HOST=${hostport%%:*}
    R_PORT=""
    [[ $hostport == *:* ]] && R_PORT=${hostport#*:}
  fi
  R_PORT=${R_PORT:-6379}
  [[ -n $R_HOST ]] || die "no host in Redis URL $(mask_url "$url")"
  [[ $R_PORT =~ ^[0-9]+$ ]] || die "bad port in Redis URL $(mask_url "$url")"
  [[ $R_DB =~ ^[0-9]+$ ]] || die "bad database number in Redis URL $(mask_url "$url")"
  choose_client
}

# Sets R_CLIENT: redis-cli when it is 7.0 or later (it has -e: exit status 1 on an error
# reply), else the built-in client.
choose_client() {
  local wanted=${EXITBRAIN_REDIS_CLI:-}
  if [[ $wanted == builtin ]]; then
    R_CLIENT=builtin
  elif [[ -n $wanted ]]; then
    [[ -x $wanted ]] || die "EXITBRAIN_REDIS_CLI=$wanted is not an executable"
    R_CLIENT=$wanted
  elif have redis-cli && redis-cli -e --version >/dev/null 2>&1; then
    R_CLIENT=redis-cli
  else
    R_CLIENT=builtin
  fi
  if [[ $R_CLIENT == builtin && $R_TLS == 1 ]]; then
    die "rediss:// (TLS) needs redis-cli 7.0 or later (apt-get install redis-tools)"
  fi
}

# redis_raw ARGS...: one command, the reply's strings one per line (redis-cli --raw); fails with
# the error on stderr when Redis answers with an error.
redis_raw() { redis_call raw "$@"; }

# redis_show ARGS...: one command, the reply formatted the way redis-cli shows it on a terminal.
redis_show() { redis_call pretty "$@"; }

redis_call() {
  local mode=$1
  shift
  if [[ $R_CLIENT == builtin ]]; then
    resp_command "$mode" "$@"
    return
  fi
  local args=(-h "$R_HOST" -p "$R_PORT" -n "$R_DB" -e)
  [[ ${R_CLUSTER:-0} == 1 ]] && args+=(-c)
  [[ $R_TLS == 1 ]] && args+=(--tls)
  [[ -n $R_USER ]] && args+=(--user "$R_USER")
  if [[ $mode == raw ]]; then args+=(--raw); else args+=(--no-raw); fi
  local out errors status=0
  errors=$(mktemp)
  if [[ -n $R_PASS ]]; then
    out=$(REDISCLI_AUTH=$R_PASS "$R_CLIENT" "${args[@]}" "$@" 2>"$errors") || status=$?
  else
    out=$(env -u REDISCLI_AUTH "$R_CLIENT" "${args[@]}" "$@" 2>"$errors") || status=$?
  fi
  cat "$errors" >&2
  # redis-cli catches SIGINT and exits 1 without a word; bash then takes the Ctrl-C as handled by
  # the child and would carry on. Passing it on makes the caller's INT trap (or default) act.
  if ((status == 1)) && [[ -z $out && ! -s $errors ]]; then
    rm -f "$errors"
    kill -INT "$BASHPID"
  fi
  # redis-cli carries on as the default user when AUTH fails; a wrong password is an error here.
  grep -q '^AUTH failed' "$errors" && status=1
  rm -f "$errors"
  if ((status != 0)); then
    [[ -n $out ]] && printf '%s\n' "$out" >&2
    return 1
  fi
  printf '%s\n' "$out"
}

# The built-in client: RESP2 over bash's /dev/tcp, one connection per command.
resp_command() {
  local mode=$1
  shift
  local LC_ALL=C fd reply status=0
  { exec {fd}<>"/dev/tcp/$R_HOST/$R_PORT"; } 2>/dev/null \
    || { echo "Could not connect to Redis at $R_HOST:$R_PORT: Connection refused" >&2; return 1; }
  local setup=()
  if [[ -n $R_PASS && -n $R_USER ]]; then
    setup+=("AUTH $R_USER")
  elif [[ -n $R_PASS ]]; then
    setup+=(AUTH)
  fi
  [[ $R_DB != 0 ]] && setup+=(SELECT)
  local step
  for step in "${setup[@]}"; do
    case $step in
      AUTH\ *) resp_send "$fd" AUTH "$R_USER" "$R_PASS" ;;
      AUTH) resp_send "$fd" AUTH "$R_PASS" ;;
      SELECT) resp_send "$fd" SELECT "$R_DB" ;;
    esac
    reply=$(resp_read "$fd" raw "") || status=1
    if ((status != 0)) || [[ $reply == RESPERROR:* ]]; then
      exec {fd}>&-
      echo "${reply#RESPERROR:}" >&2
      return 1
    fi
  done
  resp_send "$fd" "$@"
  reply=$(resp_read "$fd" "$mode" "") || status=1
  exec {fd}>&-
  if ((status != 0)) || [[ $reply == "(error) "* || $reply == RESPERROR:* ]]; then
    printf '%s\n' "${reply#RESPERROR:}" >&2
    return 1
  fi
  printf '%s\n' "$reply"
}

resp_send() {
  local fd=$1
  shift
  local out="*$#"$'\r\n' arg
  for arg in "$@"; do
    out+="\$${#arg}"$'\r\n'"$arg"$'\r\n'
  done
  printf '%s' "$out" >&"$fd"
}

# resp_read FD MODE PREFIX: prints one reply (and, for arrays, its elements) without the final
# newline handling redis-cli does: every scalar ends its own line.
resp_read() {
  local fd=$1 mode=$2 prefix=$3 line kind body data crlf
  IFS= read -r -u "$fd" line || { echo "RESPERROR:connection closed"; return 1; }
  line=${line%$'\r'}
  kind=${line:0:1}
  body=${line:1}
  case $kind in
    +) printf '%s\n' "$body" ;;
    -) if [[ $mode == raw ]]; then printf 'RESPERROR:%s\n' "$body"; else printf '(error) %s\n' "$body"; fi ;;
    :) if [[ $mode == raw ]]; then printf '%s\n' "$body"; else printf '(integer) %s\n' "$body"; fi ;;
    \$)
      if ((body < 0)); then
        if [[ $mode == raw ]]; then echo; else echo "(nil)"; fi
        return 0
      fi
      data=""
      if ((body > 0)); then IFS= read -r -N "$body" -u "$fd" data; fi
      IFS= read -r -N 2 -u "$fd" crlf
      if [[ $mode == raw ]]; then printf '%s\n' "$data"; else printf '"%s"\n' "$(resp_quote "$data")"; fi ;;
    \*)
      if ((body < 0)); then
        if [[ $mode == raw ]]; then echo; else echo "(nil)"; fi
      elif ((body == 0)); then
        if [[ $mode == raw ]]; then echo; else echo "(empty array)"; fi
      else
        local i width=${#body} inner
        printf -v inner '%s%*s' "$prefix" $((width + 2)) ''
        for ((i = 1; i <= body; i++)); do
          if [[ $mode != raw ]]; then
            ((i > 1)) && printf '%s' "$prefix"
            printf '%*d) ' "$width" "$i"
          fi
          resp_read "$fd" "$mode" "$inner" || return 1
        done
      fi ;;
    *) echo "RESPERROR:unexpected reply from Redis: $line"; return 1 ;;
  esac
}

resp_quote() {
  local s=${1//\\/\\\\}
  s=${s//\"/\\\"}
  s=${s//$'\n'/\\n}
  s=${s//$'\r'/\\r}
  printf '%s' "${s//$'\t'/\\t}"
}

# stream_entries STREAM COUNT: the newest COUNT entries, oldest first, one per line:
# "<id><TAB>field=value<TAB>field=value...". Field names never look like entry ids, so an id
# where a field name is expected starts the next entry.
stream_entries() {
  redis_raw XREVRANGE "$1" + - COUNT "$2" | awk '
    BEGIN { n = 0; expect = "id" }
    expect == "id" || (expect == "key" && $0 ~ /^[0-9]+-[0-9]+$/) {
      n++; line[n] = $0; expect = "key"; next
    }
    expect == "key" { key = $0; expect = "value"; next }
    expect == "value" { line[n] = line[n] "\t" key "=" $0; expect = "key" }
    END { for (i = n; i >= 1; i--) print line[i] }'
}

# field NAME: reads one stream_entries line on stdin, prints the value of NAME.
field() {
  awk -F'\t' -v name="$1" '{ for (i = 2; i <= NF; i++) if (index($i, name "=") == 1) print substr($i, length(name) + 2) }'
}

stream_length() {
  local n
  n=$(redis_raw XLEN "$1") || return 1
  echo "${n:-0}"
}

# wait_for_length STREAM N SECONDS: until the stream has at least N entries.
wait_for_length() {
  local deadline=$((SECONDS + $3)) n=0
  while ((SECONDS < deadline)); do
    n=$(stream_length "$1" 2>/dev/null || echo 0)
    ((n >= $2)) && return 0
    sleep 0.2
  done
  echo "$PROGRAM: $1 has $n entries, expected $2 within $3 s" >&2
  return 1
}

# ---------------------------------------------------------------------------------------------
# Processes

# Builds the jar when it is missing.
ensure_jar() {
  [[ -f $EXITBRAIN_JAR ]] && return 0
  have mvn || die "no $EXITBRAIN_JAR and no mvn to build it; install Maven (and Java 17)"
  echo "$PROGRAM: building $EXITBRAIN_JAR (mvn -B -q package -DskipTests)..." >&2
  (cd "$EXITBRAIN_HOME" && mvn -B -q package -DskipTests) >&2 || die "the build failed"
  [[ -f $EXITBRAIN_JAR ]] || die "the build did not produce $EXITBRAIN_JAR"
}

# detached COMMAND...: runs COMMAND in a session of its own (setsid, when installed), so that
# the terminal's Ctrl-C reaches only the script; the script's trap then stops COMMAND.
detached() {
  if have setsid; then
    exec setsid "$@"
  fi
  exec "$@"
}

port_in_use() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

free_port() {
  local port tries
  for ((tries = 0; tries < 100; tries++)); do
    port=$((20000 + RANDOM % 40000))
    port_in_use "$port" || { echo "$port"; return 0; }
  done
  die "no free TCP port found"
}

# redis-server from PATH, else the embedded-redis binary from the local Maven repository.
redis_server_binary() {
  if have redis-server; then
    command -v redis-server
    return
  fi
  local extracted=${TMPDIR:-/tmp}/exitbrain-$EMBEDDED_REDIS
  if [[ ! -x $extracted ]]; then
    [[ $(uname -s)/$(uname -m) == Linux/x86_64 ]] \
      || die "no redis-server on PATH; install one (apt-get install redis-server) or set REDIS_URL"
    [[ -f $EMBEDDED_REDIS_JAR ]] \
      || die "no redis-server on PATH and no $EMBEDDED_REDIS_JAR (run mvn -B verify once to fetch it, install redis-server, or set REDIS_URL)"
    local tmp
    tmp=$(mktemp "${TMPDIR:-/tmp}/redis-server.XXXXXX")
    if have unzip; then
      unzip -p "$EMBEDDED_REDIS_JAR" "$EMBEDDED_REDIS" >"$tmp"
    elif have python3; then
      python3 -c 'import sys, zipfile; sys.stdout.buffer.write(zipfile.ZipFile(sys.argv[1]).read(sys.argv[2]))' \
        "$EMBEDDED_REDIS_JAR" "$EMBEDDED_REDIS" >"$tmp"
    else
      rm -f "$tmp"
      die "cannot extract $EMBEDDED_REDIS: neither unzip nor python3 is installed"
    fi
    [[ -s $tmp ]] || { rm -f "$tmp"; die "$EMBEDDED_REDIS_JAR has no $EMBEDDED_REDIS"; }
    chmod +x "$tmp"
    mv -f "$tmp" "$extracted"
  fi
  echo "$extracted"
}

# start_redis DIR: a private redis-server on a free port (no persistence), as a child of this
# script; sets REDIS_PID, REDIS_PORT and REDIS_URL.
start_redis() {
  local dir=$1 binary attempt
  binary=$(redis_server_binary)
  for ((attempt = 0; attempt < 5; attempt++)); do
    REDIS_PORT=$(free_port)
    # In a session of its own, like the worker: Ctrl-C reaches the script, whose trap stops
    # the worker first and Redis after it, instead of Redis dying under the worker.
    detached "$binary" --port "$REDIS_PORT" --bind 127.0.0.1 --save "" --appendonly no --dir "$dir" \
      --daemonize no --protected-mode yes >"$dir/redis.log" 2>&1 &
    REDIS_PID=$!
    local deadline=$((SECONDS + 15))
    while ((SECONDS < deadline)) && kill -0 "$REDIS_PID" 2>/dev/null; do
      if port_in_use "$REDIS_PORT"; then
        REDIS_URL=redis://127.0.0.1:$REDIS_PORT
        REDIS_BINARY=$binary
        return 0
      fi
      sleep 0.1
    done
    kill "$REDIS_PID" 2>/dev/null || true
    wait "$REDIS_PID" 2>/dev/null || true
    REDIS_PID=""
  done
  tail -5 "$dir/redis.log" >&2
  die "could not start $binary"
}

stop_redis() {
  [[ -n ${REDIS_PID:-} ]] || return 0
  kill -TERM "$REDIS_PID" 2>/dev/null || true
  wait "$REDIS_PID" 2>/dev/null || true
  REDIS_PID=""
}

# The worker's variables (every one deploy/exitbrain.env.example documents): unset for the
# workers these scripts start, so that only what they choose applies.
worker_variables() {
  sed -n 's/^#\([A-Z_][A-Z0-9_]*\)=.*/\1/p' "$EXITBRAIN_HOME/deploy/exitbrain.env.example" | sort -u
}

# The JVM flags of the systemd unit (deploy/exitbrain.service, ExecStart: the flags between java
# and $JAVA_OPTS), one a line, without the crash-log path only the installed unit has; the same
# list built in when the unit is not there. scripts/exitbrain run starts the worker with them, so
# that the README's way of running it has the unit's memory figures (a JVM left to size its heap
# from the host grows to several hundred MB here, against 190 MB).
UNIT_JVM_FLAGS_BUILT_IN=(-Xms128m -Xmx128m -Xmn64m -XX:MaxMetaspaceSize=64m -XX:ReservedCodeCacheSize=32m
  -XX:MaxDirectMemorySize=32m -Xss512k -XX:+UseSerialGC -XX:ActiveProcessorCount=2 -XX:FreqInlineSize=100
  -XX:InlineSmallCode=1000 -XX:+ExitOnOutOfMemoryError -XX:-UsePerfData)
unit_jvm_flags() {
  local unit=$EXITBRAIN_HOME/deploy/exitbrain.service line exec="" reading=0 token java=0 found=0
  if [[ -f $unit ]]; then
    while IFS= read -r line; do
      if ((!reading)) && [[ $line == ExecStart=* ]]; then
        reading=1
        line=${line#ExecStart=}
      fi
      ((reading)) || continue
      if [[ $line == *\\ ]]; then
        exec+="${line%\\} "
      else
        exec+=$line
        break
      fi
    done <"$unit"
  fi
  set -f
  for token in $exec; do
    if ((!java)); then
      [[ $token == java || $token == */java ]] && java=1
      continue
    fi
    [[ $token == \$* || $token == -jar ]] && break
    [[ $token == -XX:ErrorFile=* ]] && continue
    echo "${token//%%/%}"
    found=1
  done
  set +f
  ((found)) || printf '%s\n' "${UNIT_JVM_FLAGS_BUILT_IN[@]}"
}

# start_worker DIR VAR=VALUE...: the worker as a child process, in DIR (no conf/ there), with
# only the given settings and HEALTH_PORT=0; waits for its health port. Sets WORKER_PID,
# WORKER_LOG and HEALTH_URL.
start_worker() {
  local dir=$1
  shift
  ensure_jar
  have java || die "java not found (Java 17 or later is needed)"
  local unset=() var
  while IFS= read -r var; do unset+=(-u "$var"); done < <(worker_variables)
  WORKER_LOG=$dir/worker.log
  # created here, not by the background job's redirection: the loop below may read it first
  : >"$WORKER_LOG"
  (cd "$dir" && detached env "${unset[@]}" HEALTH_PORT=0 "$@" java -Xmx128m -jar "$EXITBRAIN_JAR" run) \
    >"$WORKER_LOG" 2>&1 </dev/null &
  WORKER_PID=$!
  local deadline=$((SECONDS + 90)) port=""
  while ((SECONDS < deadline)); do
    port=$(sed -n 's#.*health port listening on http://[^:]*:\([0-9]*\)/health.*#\1#p' "$WORKER_LOG" | head -1)
    [[ -n $port ]] && break
    if ! kill -0 "$WORKER_PID" 2>/dev/null; then
      local status=0
      wait "$WORKER_PID" || status=$?
      WORKER_PID=""
      tail -20 "$WORKER_LOG" >&2
      die "the worker exited with status $status before opening its health port"
    fi
    sleep 0.2
  done
  [[ -n $port ]] || { tail -20 "$WORKER_LOG" >&2; die "the worker did not open its health port within 90 s"; }
  HEALTH_URL=http://127.0.0.1:$port
}

# wait_until_consuming SECONDS: the worker has created its groups and reads.
wait_until_consuming() {
  local deadline=$((SECONDS + $1))
  while ((SECONDS < deadline)); do
    grep -q ' - consuming ' "$WORKER_LOG" && return 0
    kill -0 "$WORKER_PID" 2>/dev/null || break
    sleep 0.2
  done
  tail -20 "$WORKER_LOG" >&2
  return 1
}

# stop_worker: SIGTERM, as systemd does; the exit status lands in WORKER_STATUS.
stop_worker() {
  WORKER_STATUS=""
  [[ -n ${WORKER_PID:-} ]] || return 0
  kill -TERM "$WORKER_PID" 2>/dev/null || true
  local deadline=$((SECONDS + 20))
  while ((SECONDS < deadline)) && kill -0 "$WORKER_PID" 2>/dev/null; do sleep 0.1; done
  if kill -0 "$WORKER_PID" 2>/dev/null; then
    echo "$PROGRAM: the worker did not stop within 20 s of SIGTERM; killing it" >&2
    kill -KILL "$WORKER_PID" 2>/dev/null || true
  fi
  WORKER_STATUS=0
  wait "$WORKER_PID" 2>/dev/null || WORKER_STATUS=$?
  WORKER_PID=""
}

# http_get URL: sets HTTP_STATUS and HTTP_BODY (curl, else bash's /dev/tcp).
http_get() {
  local url=$1
  HTTP_STATUS="" HTTP_BODY=""
  if have curl; then
    local out
    out=$(curl -s -m 10 -w '\n%{http_code}' "$url") || return 1
    HTTP_STATUS=${out##*$'\n'}
    HTTP_BODY=${out%$'\n'*}
    return 0
  fi
  local rest=${url#http://} hostport path fd line
  hostport=${rest%%/*}
  path=/${rest#*/}
  { exec {fd}<>"/dev/tcp/${hostport%:*}/${hostport##*:}"; } 2>/dev/null || return 1
  printf 'GET %s HTTP/1.0\r\nHost: %s\r\nConnection: close\r\n\r\n' "$path" "$hostport" >&"$fd"
  IFS= read -r -u "$fd" line
  HTTP_STATUS=$(awk '{print $2}' <<<"$line")
  while IFS= read -r -u "$fd" line && [[ ${line%$'\r'} != "" ]]; do :; done
  HTTP_BODY=$(cat <&"$fd")
  exec {fd}>&-
}

random_suffix() {
  printf '%04x%04x' $RANDOM $RANDOM
}
