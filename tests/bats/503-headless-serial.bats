#!/usr/bin/env bats
# Every UART host mode carries the guest's COM1 output: RawFile, HostPipe
# server and client (Unix sockets), TCP server and client, HostDevice (a
# pty); Disconnected boots without a backend.

load helpers
load 500-vm

local_setup() {
	need_kvm
}

# A peer for the VM: py_peer MODE ADDRESS OUTFILE (in the background).
#   connect-unix / connect-tcp   connect (retrying) and read
#   listen-unix / listen-tcp     listen, accept one connection and read
#   pty                          create a pty, print its slave path to
#                                OUTFILE.path, read the master
py_peer() {
	python3 - "$@" <<'PY' &
import os, socket, sys, time
mode, addr, out = sys.argv[1], sys.argv[2], sys.argv[3]
deadline = time.time() + 50
def tcp_addr(a):
    host, port = a.rsplit(':', 1)
    return (host, int(port))
conn = None
if mode == 'pty':
    import pty
    master, slave = pty.openpty()
    open(out + '.path', 'w').write(os.ttyname(slave))
    rd = lambda: os.read(master, 4096)
elif mode.startswith('listen'):
    fam = socket.AF_UNIX if mode.endswith('unix') else socket.AF_INET
    ls = socket.socket(fam, socket.SOCK_STREAM)
    ls.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    ls.bind(addr if fam == socket.AF_UNIX else tcp_addr(addr))
    ls.listen(1)
    open(out + '.ready', 'w').write('1')
    ls.settimeout(50)
    conn, _ = ls.accept()
    rd = lambda: conn.recv(4096)
else:
    fam = socket.AF_UNIX if mode.endswith('unix') else socket.AF_INET
    while True:
        conn = socket.socket(fam, socket.SOCK_STREAM)
        try:
            conn.connect(addr if fam == socket.AF_UNIX else tcp_addr(addr))
            break
        except OSError:
            conn.close()
            if time.time() > deadline:
                sys.exit(1)
            time.sleep(0.05)
    rd = lambda: conn.recv(4096)
data = b''
while b'cpuid:' not in data and time.time() < deadline:
    try:
        chunk = rd()
    except OSError:
        break
    if not chunk:
        break
    data += chunk
open(out, 'wb').write(data)
PY
	PEER_PID=$!
}

free_port() {
	python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

wait_file() {
	local i
	for i in $(seq 1 100); do
		[ -e "$1" ] && return 0
		sleep 0.1
	done
	return 1
}

marker_in() {
	grep -q "GUEST-BOOT-OK" "$1" || { echo "no marker in $1:"; cat -v "$1"; return 1; }
}

@test "UART RawFile mode writes the guest's output to the file" {
	new_vm raw ide
	vm_uart raw RawFile "com1.txt"              # relative: the machine folder
	headless --startvm raw
	expect_status 0
	marker_in "$VMS/raw/com1.txt"
	grep -q "UART#0: I/O 0x3f8 IRQ 4, 16550A, host mode RawFile '$VMS/raw/com1.txt'" "$VMS/raw/Logs/VBox.log"
}

@test "UART HostPipe server mode: a client connecting to the socket gets the output" {
	new_vm pipes ide
	vm_uart pipes HostPipe "$BATS_TEST_TMPDIR/com1.sock" true
	py_peer connect-unix "$BATS_TEST_TMPDIR/com1.sock" "$BATS_TEST_TMPDIR/out"
	headless --startvm pipes
	expect_status 0
	wait "$PEER_PID"
	marker_in "$BATS_TEST_TMPDIR/out"
	grep -q "UART#0: client connected" "$VMS/pipes/Logs/VBox.log"
}

@test "UART HostPipe client mode connects to a listening socket" {
	new_vm pipec ide
	vm_uart pipec HostPipe "$BATS_TEST_TMPDIR/peer.sock" false
	py_peer listen-unix "$BATS_TEST_TMPDIR/peer.sock" "$BATS_TEST_TMPDIR/out"
	wait_file "$BATS_TEST_TMPDIR/out.ready"
	headless --startvm pipec
	expect_status 0
	wait "$PEER_PID"
	marker_in "$BATS_TEST_TMPDIR/out"
}

@test "UART HostPipe client mode without a listener fails before the guest starts" {
	new_vm pipex ide
	vm_uart pipex HostPipe "$BATS_TEST_TMPDIR/nobody.sock" false
	headless --startvm pipex
	expect_status 1
	expect_out "Error: failed to start machine. Error message: NamedPipe#0 failed to connect to named pipe $BATS_TEST_TMPDIR/nobody.sock (VERR_FILE_NOT_FOUND)"
}

@test "UART TCP server mode: a TCP client gets the output" {
	port=$(free_port)
	new_vm tcps ide
	vm_uart tcps TCP "$port" true
	py_peer connect-tcp "127.0.0.1:$port" "$BATS_TEST_TMPDIR/out"
	headless --startvm tcps
	expect_status 0
	wait "$PEER_PID"
	marker_in "$BATS_TEST_TMPDIR/out"
}

@test "UART TCP client mode connects to host:port" {
	port=$(free_port)
	new_vm tcpc ide
	vm_uart tcpc TCP "127.0.0.1:$port" false
	py_peer listen-tcp "127.0.0.1:$port" "$BATS_TEST_TMPDIR/out"
	wait_file "$BATS_TEST_TMPDIR/out.ready"
	headless --startvm tcpc
	expect_status 0
	wait "$PEER_PID"
	marker_in "$BATS_TEST_TMPDIR/out"
}

@test "UART HostDevice mode writes to a host tty" {
	new_vm tty ide
	py_peer pty - "$BATS_TEST_TMPDIR/out"
	wait_file "$BATS_TEST_TMPDIR/out.path"
	vm_uart tty HostDevice "$(cat "$BATS_TEST_TMPDIR/out.path")"
	headless --startvm tty
	expect_status 0
	wait "$PEER_PID"
	marker_in "$BATS_TEST_TMPDIR/out"
}

@test "UART Disconnected mode: the port exists, the output goes nowhere" {
	new_vm disc ide
	vm_uart disc Disconnected ""
	headless --startvm disc
	expect_status 0
	grep -q "UART#0: I/O 0x3f8 IRQ 4, 16550A, host mode Disconnected" "$VMS/disc/Logs/VBox.log"
	grep -q "BIOS: Found 1 serial ports" "$VMS/disc/Logs/VBox.log"
	grep -q "ACPI: guest entered S5" "$VMS/disc/Logs/VBox.log"
}
