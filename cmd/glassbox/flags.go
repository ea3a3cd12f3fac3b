package main

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/glassbox-dev/glassbox/inspector/model"
)

// multiFlag is a repeatable string flag.
type multiFlag []string

func (m *multiFlag) String() string { return strings.Join(*m, ",") }

func (m *multiFlag) Set(v string) error {
	if v == "" {
		return fmt.Errorf("empty value")
	}
	*m = append(*m, v)
	return nil
}

// sizeFlag is a byte count written like 1MiB, 512k, 2MB or 1048576.
type sizeFlag int64

func (s *sizeFlag) String() string {
	n := int64(*s)
	switch {
	case n >= 1<<20 && n%(1<<20) == 0:
		return fmt.Sprintf("%dMiB", n>>20)
	case n >= 1<<10 && n%(1<<10) == 0:
		return fmt.Sprintf("%dKiB", n>>10)
	}
	return strconv.FormatInt(n, 10)
}

func (s *sizeFlag) Set(v string) error {
	// One size syntax everywhere: the same as the inspector's size> filter.
	n, err := model.ParseSize(v)
	if err != nil {
		return err
	}
	*s = sizeFlag(n)
	return nil
}
