#!/usr/bin/env bash
# A throw-away Ceph cluster on loopback for tests: one mon, one OSD on memstore
# (RAM), one radosgw (S3 gateway) and one S3 user with known keys. Everything —
# config, data, sockets, logs, PID files — lives in one folder; no systemd, no
# cephx, nothing under /etc or /var. Each daemon runs in the foreground (-f) in
# the background of this script and is stopped by its own PID.
#
#   ceph.sh start DIR [OWNER_PID]  bring the cluster up in DIR (created; must be empty or absent);
#                                  prints KEY=VALUE lines (ENDPOINT, ACCESS_KEY, SECRET_KEY, pids)
#                                  and writes them to DIR/env. With OWNER_PID a watchdog stops the
#                                  cluster and removes DIR when that process dies (a killed test).
#   ceph.sh stop DIR               kill every daemon by PID (SIGKILL: the data is thrown away) and remove DIR
#   ceph.sh rgw-pause DIR          SIGSTOP the gateway (connections hang)
#   ceph.sh rgw-resume DIR         SIGCONT it
#   ceph.sh rgw-stop DIR           stop the gateway only (TERM, KILL after 1 s; connections refused)
#   ceph.sh rgw-start DIR          start it again on the same port
#
# Needs the Debian packages ceph-mon ceph-osd radosgw ceph-common (see docs/s3.md).
set -euo pipefail

ACCESS_KEY=${STRATA_CEPH_ACCESS_KEY:-STRATATESTACCESSKEY1}
SECRET_KEY=${STRATA_CEPH_SECRET_KEY:-strata-test-secret-key-0123456789abcdef}

die() {
  echo "ceph.sh: $*" >&2
  exit 1
}

free_port() {
  node -e "const s=require('net').createServer();s.listen(0,'127.0.0.1',()=>{console.log(s.address().port);s.close()})"
}

# alive PID: the process exists and is not a zombie (an exited daemon whose parent
# is gone may wait a while for PID 1 to reap it)
alive() {
  local st
  st=$(cat "/proc/$1/stat" 2>/dev/null) || return 1
  st=${st##*) }
  [[ "${st:0:1}" != Z ]]
}

# stop_pids SIG PID...: send SIG (TERM: and CONT, in case one is paused; after 1 s KILL), wait for the end
stop_pids() {
  local sig=$1 pids=() p i
  shift
  for p in "$@"; do [[ -n "$p" ]] && alive "$p" && pids+=("$p"); done
  ((${#pids[@]})) || return 0
  kill "-$sig" "${pids[@]}" 2>/dev/null || true
  if [[ "$sig" != KILL ]]; then
    kill -CONT "${pids[@]}" 2>/dev/null || true
    for i in $(seq 20); do
      local alive=0
      for p in "${pids[@]}"; do alive "$p" && alive=1; done
      ((alive)) || return 0
      sleep 0.05
    done
    kill -KILL "${pids[@]}" 2>/dev/null || true
  fi
  for i in $(seq 40); do
    local alive=0
    for p in "${pids[@]}"; do alive "$p" && alive=1; done
    ((alive)) || return 0
    sleep 0.05
  done
}

pidof_file() { [[ -f "$1" ]] && cat "$1" || true; }

stop_cluster() {
  local dir=$1
  [[ -d "$dir" ]] || return 0
  # the cluster's data is thrown away: no clean shutdown needed (memstore would write itself to disk)
  stop_pids KILL "$(pidof_file "$dir/watchdog.pid")" "$(pidof_file "$dir/rgw.pid")" "$(pidof_file "$dir/osd.pid")" "$(pidof_file "$dir/mon.pid")"
  rm -rf "$dir"
}

# start_daemon NAME CMD...: run CMD in the background, output to DIR/log, PID to DIR/NAME.pid
start_daemon() {
  local name=$1
  shift
  "$@" </dev/null >>"$DIR/log/$name.out" 2>&1 &
  echo $! >"$DIR/$name.pid"
}

show_logs() {
  local f
  for f in "$DIR"/log/*; do
    [[ -s "$f" ]] || continue
    echo "--- $f (last lines)" >&2
    tail -n 15 "$f" >&2
  done
}

wait_for() { # wait_for SECONDS WHAT CMD...
  local secs=$1 what=$2
  shift 2
  local deadline=$((SECONDS + secs))
  until "$@" >/dev/null 2>&1; do
    ((SECONDS < deadline)) || {
      echo "ceph.sh: timed out waiting for $what" >&2
      return 1
    }
    sleep 0.1
  done
}

start_rgw() {
  local port
  port=$(cat "$DIR/rgw.port")
  start_daemon rgw radosgw -c "$DIR/ceph.conf" -n client.rgw.x -f
  wait_for 60 "radosgw on port $port" curl -sf --max-time 2 -o /dev/null "http://127.0.0.1:$port/"
}

cmd_start() {
  DIR=$1
  local owner=${2:-}
  for b in ceph-mon ceph-osd radosgw radosgw-admin ceph monmaptool ceph-authtool curl node; do
    command -v "$b" >/dev/null || die "$b not found: apt-get install -y --no-install-recommends ceph-mon ceph-osd radosgw ceph-common curl"
  done
  [[ ! -e "$DIR" || -z "$(ls -A "$DIR")" ]] || die "$DIR is not empty"
  mkdir -p "$DIR"/{run,log,mon,osd}
  DIR=$(cd "$DIR" && pwd)
  # never leave a half-started cluster behind
  trap 'rc=$?; if ((rc != 0)); then show_logs; stop_cluster "$DIR"; fi' EXIT
  trap 'exit 130' INT TERM

  local fsid mon_port rgw_port osd_uuid
  fsid=$(cat /proc/sys/kernel/random/uuid)
  osd_uuid=$(cat /proc/sys/kernel/random/uuid)
  mon_port=$(free_port)
  rgw_port=$(free_port)
  while [[ "$rgw_port" == "$mon_port" ]]; do rgw_port=$(free_port); done
  echo "$rgw_port" >"$DIR/rgw.port"

  cat >"$DIR/ceph.conf" <<EOF
[global]
fsid = $fsid
mon host = v2:127.0.0.1:$mon_port
mon initial members = a
auth cluster required = none
auth service required = none
auth client required = none
ms mon client mode = crc
ms bind msgr1 = false
ms bind ipv4 = true
public addr = 127.0.0.1
paxos propose interval = 0.05
osd pool default size = 1
osd pool default min size = 1
osd pool default pg num = 8
osd pool default pgp num = 8
osd pool default pg autoscale mode = off
mon allow pool size one = true
mon warn on pool no redundancy = false
osd crush chooseleaf type = 0
osd objectstore = memstore
memstore device bytes = 2147483648
run dir = $DIR/run
admin socket = $DIR/run/\$name.asok
pid file = $DIR/run/\$name.pidfile
log file = $DIR/log/\$name.log
keyring = $DIR/keyring
mon data = $DIR/mon/\$cluster-\$id
osd data = $DIR/osd/\$cluster-\$id
crash dir = $DIR/log
[client.rgw.x]
rgw frontends = beast endpoint=127.0.0.1:$rgw_port tcp_nodelay=1
rgw gc obj min wait = 30
rgw thread pool size = 64
rgw data = $DIR/rgw
EOF
  export CEPH_CONF="$DIR/ceph.conf"

  ceph-authtool --create-keyring "$DIR/keyring" --gen-key -n mon. --cap mon 'allow *' >/dev/null
  monmaptool --create --fsid "$fsid" --addv a "[v2:127.0.0.1:$mon_port]" "$DIR/monmap" >/dev/null
  ceph-mon --mkfs -i a --monmap "$DIR/monmap" --keyring "$DIR/keyring" >"$DIR/log/mon-mkfs.out" 2>&1 ||
    { cat "$DIR/log/mon-mkfs.out" >&2; die "ceph-mon --mkfs failed"; }
  start_daemon mon ceph-mon -c "$DIR/ceph.conf" -i a -f

  local osd_id
  osd_id=$(timeout 30 ceph osd new "$osd_uuid") || die "ceph osd new failed (is the monitor up?)"
  [[ "$osd_id" == 0 ]] || die "unexpected osd id $osd_id"
  mkdir -p "$DIR/osd/ceph-0"
  ceph-osd -i 0 --mkfs --osd-uuid "$osd_uuid" >"$DIR/log/osd-mkfs.out" 2>&1 ||
    { cat "$DIR/log/osd-mkfs.out" >&2; die "ceph-osd --mkfs failed"; }
  start_daemon osd ceph-osd -c "$DIR/ceph.conf" -i 0 -f
  wait_for 60 "osd.0 up" bash -c "timeout 10 ceph osd dump 2>/dev/null | grep -q '^osd.0 up'"

  mkdir -p "$DIR/rgw"
  # a test of this script makes it fail here, with two daemons up, to see that nothing is left behind
  [[ "${STRATA_CEPH_FAIL_AT:-}" != rgw ]] || die "failing before radosgw, as asked (STRATA_CEPH_FAIL_AT=rgw)"
  start_rgw
  timeout 60 radosgw-admin user create --uid strata-test --display-name "strata test" \
    --access-key "$ACCESS_KEY" --secret "$SECRET_KEY" >"$DIR/log/user.out" 2>&1 ||
    { cat "$DIR/log/user.out" >&2; die "radosgw-admin user create failed"; }

  if [[ -n "$owner" ]]; then
    # the watchdog: when the owner is gone (a test process killed by a timeout), take everything down
    (
      trap - EXIT INT TERM
      exec </dev/null >/dev/null 2>&1
      while alive "$owner" && [[ -d "$DIR" ]]; do sleep 1; done
      rm -f "$DIR/watchdog.pid"
      stop_cluster "$DIR"
    ) &
    echo $! >"$DIR/watchdog.pid"
  fi

  {
    echo "ENDPOINT=http://127.0.0.1:$rgw_port"
    echo "ACCESS_KEY=$ACCESS_KEY"
    echo "SECRET_KEY=$SECRET_KEY"
    echo "DIR=$DIR"
    echo "MON_PID=$(cat "$DIR/mon.pid")"
    echo "OSD_PID=$(cat "$DIR/osd.pid")"
    echo "RGW_PID=$(cat "$DIR/rgw.pid")"
    echo "WATCHDOG_PID=$(pidof_file "$DIR/watchdog.pid")"
  } | tee "$DIR/env"
  trap - EXIT
}

need_dir() {
  [[ -n "${1:-}" && -f "$1/ceph.conf" ]] || die "${1:-(no folder given)} is not a folder made by ceph.sh start"
  DIR=$(cd "$1" && pwd)
  export CEPH_CONF="$DIR/ceph.conf"
}

case "${1:-}" in
start) cmd_start "${2:?usage: ceph.sh start DIR [OWNER_PID]}" "${3:-}" ;;
stop) stop_cluster "${2:?usage: ceph.sh stop DIR}" ;;
rgw-pause) need_dir "${2:-}" && kill -STOP "$(cat "$DIR/rgw.pid")" ;;
rgw-resume) need_dir "${2:-}" && kill -CONT "$(cat "$DIR/rgw.pid")" ;;
rgw-stop) need_dir "${2:-}" && stop_pids TERM "$(cat "$DIR/rgw.pid")" ;;
rgw-start)
  need_dir "${2:-}"
  alive "$(cat "$DIR/rgw.pid")" && die "radosgw is running"
  start_rgw
  sed -i "s/^RGW_PID=.*/RGW_PID=$(cat "$DIR/rgw.pid")/" "$DIR/env"
  echo "RGW_PID=$(cat "$DIR/rgw.pid")"
  ;;
*) die "usage: ceph.sh start|stop|rgw-pause|rgw-resume|rgw-stop|rgw-start DIR" ;;
esac
