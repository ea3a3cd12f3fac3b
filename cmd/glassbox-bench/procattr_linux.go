package main

import "syscall"

// sysProcAttr makes the kernel kill a proxy if the harness dies without
// stopping it (a test timeout, a panic): nothing keeps listening after us.
func sysProcAttr() *syscall.SysProcAttr {
	return &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
}
