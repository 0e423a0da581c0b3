# Helpers for the 5xx tests (running VMs); load after helpers.
#
#   need_kvm               skip unless /dev/kvm can be opened
#   have_iem               true when the software engine is built in
#   realmode_iso           path of the real-mode test CD (built once)
#   new_vm NAME CTL [ISO]  a registered VM (PIIX3, 128 MB) with the CD
#                          (realmode_iso ISO) on CTL = ide|sata, boot DVD
#   vm_hw NAME XML         insert XML at the start of <Hardware>
#   vm_file NAME           path of the .vbox
#   headless ARGS...       run VBoxHeadless in the foreground (60 s limit)
#   start_bg NAME          start VBoxHeadless in the background ($BG_PID)
#   wait_log NAME TEXT     wait (30 s) until VBox.log has TEXT
#   stop_bg                SIGTERM the background VM and wait for it

GUESTS="$TOP/build/guests"

# Is the software execution engine part of this build?  (The placeholder
# that refuses to run carries this text.)
have_iem() {
	! grep -q "is not part of this build yet" "$VB_BIN/VBoxHeadless"
}

need_kvm() {
	[ -c /dev/kvm ] || skip "no /dev/kvm on this host"
	if [ ! -r /dev/kvm ] || [ ! -w /dev/kvm ]; then
		skip "/dev/kvm is not accessible to this user"
	fi
}

realmode_iso() {	# realmode_iso [realmode|realmode-reset|realmode-spin]
	bash "$TOP/tests/guests/build-guests.sh" "$GUESTS" >/dev/null 2>&1 || return 1
	echo "$GUESTS/${1:-realmode}.iso"
}

vm_file() {
	echo "$VMS/$1/$1.vbox"
}

# Elements in XML replace those of the same name directly in <Hardware>.
vm_hw() {
	python3 - "$(vm_file "$1")" "$2" <<'PY'
import re, sys
import xml.etree.ElementTree as ET
p, xml = sys.argv[1], sys.argv[2]
s = open(p).read()
s = s.replace('<Hardware/>', '<Hardware>\n    </Hardware>', 1)
start = s.index('<Hardware>') + len('<Hardware>')
end = s.index('</Hardware>', start)
body = s[start:end]
for el in ET.fromstring('<r>' + xml + '</r>'):
    name = el.tag
    body = re.sub(r'\s*<%s\b[^>]*/>' % name, '', body)
    body = re.sub(r'\s*<%s\b[^>]*>.*?</%s>' % (name, name), '', body, flags=re.S)
s = s[:start] + '\n      ' + xml + body + s[end:]
open(p, 'w').write(s)
PY
}

new_vm() {
	local name=$1 ctl=$2 iso
	iso=$(realmode_iso "${3:-realmode}") || return 1
	"$VB_BIN/VBoxManage" createvm --name "$name" --ostype Other --register >/dev/null || return 1
	if [ "$ctl" = sata ]; then
		"$VB_BIN/VBoxManage" storagectl "$name" --name SATA --add sata --controller IntelAhci --portcount 2 || return 1
		"$VB_BIN/VBoxManage" storageattach "$name" --storagectl SATA --port 1 --device 0 --type dvddrive --medium "$iso" || return 1
	else
		"$VB_BIN/VBoxManage" storagectl "$name" --name IDE --add ide --controller PIIX4 || return 1
		"$VB_BIN/VBoxManage" storageattach "$name" --storagectl IDE --port 1 --device 0 --type dvddrive --medium "$iso" || return 1
	fi
	vm_hw "$name" '<Memory RAMSize="128"/><Boot><Order position="1" device="DVD"/><Order position="2" device="None"/><Order position="3" device="None"/><Order position="4" device="None"/></Boot>'
}

# COM1 in a host mode: vm_uart NAME MODE PATH [server]
vm_uart() {
	local srv=""
	[ -n "${4:-}" ] && srv=" server=\"$4\""
	vm_hw "$1" "<UART><Port slot=\"0\" enabled=\"true\" IOBase=\"0x3f8\" IRQ=\"4\"$srv path=\"$3\" hostMode=\"$2\"/></UART>"
}

headless() {
	run --separate-stderr timeout 60 "$VB_BIN/VBoxHeadless" "$@"
}

start_bg() {
	"$VB_BIN/VBoxHeadless" --startvm "$1" >"$BATS_TEST_TMPDIR/bg.out" 2>"$BATS_TEST_TMPDIR/bg.err" &
	BG_PID=$!
	echo "$BG_PID" >"$BATS_TEST_TMPDIR/bg.pid"
}

wait_log() {
	local i log="$VMS/$1/Logs/VBox.log"
	for i in $(seq 1 300); do
		grep -qF -- "$2" "$log" 2>/dev/null && return 0
		sleep 0.1
	done
	echo "VBox.log never had: $2"
	tail -20 "$log" 2>/dev/null
	return 1
}

stop_bg() {
	kill -TERM "$BG_PID" 2>/dev/null || true
	wait "$BG_PID"
	BG_STATUS=$?
	rm -f "$BATS_TEST_TMPDIR/bg.pid"
}

teardown() {
	local pid
	if [ -f "$BATS_TEST_TMPDIR/bg.pid" ]; then
		pid=$(cat "$BATS_TEST_TMPDIR/bg.pid")
		kill -KILL "$pid" 2>/dev/null || true
	fi
}
