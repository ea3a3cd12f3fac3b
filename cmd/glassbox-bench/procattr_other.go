//go:build !linux

package main

import "syscall"

// sysProcAttr has nothing to add outside Linux (the harness's CPU and
// memory readings need Linux's /proc anyway).
func sysProcAttr() *syscall.SysProcAttr { return nil }
