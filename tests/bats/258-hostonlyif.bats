#!/usr/bin/env bats
# hostonlyif on a host without VirtualBox's host-only driver.

load helpers

@test "create fails as VirtualBox does without /dev/vboxnetctl" {
	vbm hostonlyif create
	expect_status 1
	[ -z "$output" ]
	[ "$stderr" = "0%...
Progress state: NS_ERROR_FAILURE
VBoxManage: error: Failed to create the host-only adapter
VBoxManage: error: VBoxNetAdpCtl: Error while adding new interface: failed to open /dev/vboxnetctl: No such file or directory
VBoxManage: error: Details: code NS_ERROR_FAILURE (0x80004005), component HostNetworkInterfaceWrap, interface IHostNetworkInterface
VBoxManage: error: Context: \"RTEXITCODE handleCreate(HandlerArg *)\" at line 105 of file VBoxManageHostonly.cpp" ]
	vbm hostonlyif create --machinereadable
	expect_status 1
	expect_err "VBoxManage: error: VBoxNetAdpCtl: Error while adding new interface: failed to open /dev/vboxnetctl: No such file or directory"
	run ! grep -q 'Progress state' <<<"$stderr"
}

@test "ipconfig and remove of an interface that does not exist" {
	vbm hostonlyif ipconfig vboxnet0 --ip 192.168.56.1 --netmask 255.255.255.0
	expect_status 1
	[ "$stderr" = "VBoxManage: error: The host network interface named 'vboxnet0' could not be found
VBoxManage: error: Details: code NS_ERROR_INVALID_ARG (0x80070057), component HostWrap, interface IHost, callee nsISupports
VBoxManage: error: Context: \"FindHostNetworkInterfaceByName(Bstr(pszName).raw(), hif.asOutParam())\" at line 242 of file VBoxManageHostonly.cpp" ]
	vbm hostonlyif remove vboxnet0
	expect_status 1
	expect_err "VBoxManage: error: Context: \"FindHostNetworkInterfaceByName(Bstr(pszName).raw(), hif.asOutParam())\" at line 150 of file VBoxManageHostonly.cpp"
}

@test "syntax errors" {
	vbm hostonlyif ipconfig vboxnet0 --dhcp --ip 1.2.3.4
	expect_status 2
	expect_err "VBoxManage: error: You can not use --dhcp with static ip configuration parameters: --ip, --netmask, --ipv6 and --netmasklengthv6."
	vbm hostonlyif ipconfig vboxnet0 --ip 1.2.3.4 --ipv6 ::1
	expect_status 2
	expect_err "VBoxManage: error: You can not use ipv4 configuration (--ip and --netmask) with ipv6 (--ipv6 and --netmasklengthv6) simultaneously."
	vbm hostonlyif remove
	expect_status 2
	expect_err "VBoxManage: error: No interface name was specified"
	vbm hostonlyif remove a b
	expect_status 2
	expect_err "VBoxManage: error: Only one interface name can be specified"
	vbm hostonlyif frob
	expect_status 2
	expect_err "VBoxManage: error: Unknown sub-command 'frob'"
}
