# Helpers of the machine configuration tests (2xx: showvminfo, modifyvm).
#
#   reg_fixture FILE   copy a real settings file from ../shared/fixtures into
#                      $VMS/<stem>/FILE, register it; $FX is the copy's path
#   mkvm NAME          createvm --register; $VMF is its settings file
#   mr KEY             value of KEY in the last stdout (key=value lines),
#                      quotes removed

reg_fixture() {
	need_shared
	local dir="$VMS/${1%.vbox}"
	mkdir -p "$dir"
	cp "$(fixture "$1")" "$dir/$1"
	FX="$dir/$1"
	vbm registervm "$FX"
	expect_status 0
}

mkvm() {
	vbm createvm --name "$1" --register
	expect_status 0
	VMF="$VMS/$1/$1.vbox"
	[ -f "$VMF" ]
}

mr() {
	local l
	for l in "${lines[@]}"; do
		case $l in
		"$1="*)
			l=${l#"$1="}
			l=${l#\"}
			printf '%s\n' "${l%\"}"
			return 0
			;;
		esac
	done
	return 1
}

# mkfile NAME UUID [MACHINE-ATTRS [BODY [VERSION]]]: write a machine file
# (settings version VERSION, default 1.19) $VMS/NAME/NAME.vbox whose
# <Machine> holds BODY (default <Hardware/>), register it; $VMF is its
# path.
mkfile() {
	local name=$1 uuid=$2 attrs=${3:-} body=${4:-<Hardware/>}
	local ver=${5:-1.19}
	VMF="$VMS/$name/$name.vbox"
	mkdir -p "$VMS/$name"
	cat >"$VMF" <<XML
<?xml version="1.0"?>
<VirtualBox xmlns="http://www.virtualbox.org/" version="$ver-linux">
  <Machine uuid="{$uuid}" name="$name" OSType="Ubuntu_64" snapshotFolder="Snapshots" lastStateChange="2024-02-03T04:05:06Z"$attrs>
    $body
  </Machine>
</VirtualBox>
XML
	vbm registervm "$VMF"
	expect_status 0
}

# lacks PATTERN FILE: FILE has no line matching PATTERN (grep -q).
# (A bare "! grep" would not fail a Bats test.)
lacks() {
	if grep -q -- "$1" "$2"; then
		echo "$2 has a line matching $1:"
		grep -- "$1" "$2"
		return 1
	fi
}
