package main

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"slices"
	"strconv"
	"strings"
	"time"
)

// hey is the external load generator (issue 20, item 4): the in-process
// client shares its process, its scheduler and its collector with the
// origin, so the bench also drives the same loads from rakyll/hey, a
// separate process, as a person measuring a proxy would. Each phase is
// one hey run with -o csv, one line per request: requests that got a 200
// count, with their response time; anything else is an error. hey does
// not check body sizes (the origin's Content-Length does), and its HTTPS
// client does not verify certificates.

// heyClient is the scenarios' value of scenario.Client for hey.
const heyClient = "hey"

// findHey returns hey's path: on PATH, or installed with apt-get when the
// bench runs as root on a machine that has apt-get (as CI does); "" with
// the reason when neither works.
func findHey(prog string, log func(string, ...any)) (string, string) {
	if path, err := exec.LookPath(prog); err == nil {
		return path, ""
	}
	if prog != heyClient || os.Geteuid() != 0 {
		return "", prog + " is not on PATH (install the Debian package `hey`)"
	}
	if _, err := exec.LookPath("apt-get"); err != nil {
		return "", "hey is not on PATH and there is no apt-get to install it"
	}
	log("hey is not on PATH: installing the Debian package hey")
	out, err := exec.Command("apt-get", "install", "-y", "hey").CombinedOutput()
	if err != nil {
		return "", fmt.Sprintf("apt-get install hey failed: %v: %s", err, lastLines(string(out), 3))
	}
	if path, err := exec.LookPath(prog); err == nil {
		return path, ""
	}
	return "", "apt-get installed hey but it is not on PATH"
}

// heyArgs is hey's command line for one phase of d against u.
func heyArgs(sc scenario, t target, u string, d time.Duration) []string {
	args := []string{"-c", strconv.Itoa(sc.Conns), "-z", d.String(), "-t", strconv.Itoa(int(smallTimeout / time.Second)),
		"-disable-compression", "-o", "csv"}
	if t.Proxy != nil {
		args = append(args, "-x", t.Proxy.String())
	}
	return append(args, u)
}

// runHey runs one phase with hey and reads its CSV.
func runHey(ctx context.Context, bin string, sc scenario, t target, u string, d time.Duration) phaseResult {
	start := time.Now()
	cmd := exec.CommandContext(ctx, bin, heyArgs(sc, t, u, d)...)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	res := parseHeyCSV(out, sc.Size)
	res.Elapsed = time.Since(start)
	if err != nil && res.FirstErr == "" {
		res.FirstErr = fmt.Sprintf("hey: %v: %s", err, strings.TrimSpace(lastLines(stderr.String(), 3)))
		res.Errors++
	}
	return res
}

// parseHeyCSV reads hey's -o csv output: a header, then per request its
// response time in seconds and, in the seventh column, the status code.
func parseHeyCSV(out []byte, size int64) phaseResult {
	var res phaseResult
	sc := bufio.NewScanner(bytes.NewReader(out))
	for line := 0; sc.Scan() && line < maxRequestsPerWorker; line++ {
		f := strings.Split(sc.Text(), ",")
		if line == 0 || len(f) < 7 {
			continue // the header
		}
		secs, err1 := strconv.ParseFloat(f[0], 64)
		status, err2 := strconv.Atoi(f[6])
		switch {
		case err1 != nil || err2 != nil:
			res.Errors++
			if res.FirstErr == "" {
				res.FirstErr = "hey: unreadable line " + strconv.Quote(sc.Text())
			}
		case status != 200:
			res.Errors++
			if res.FirstErr == "" {
				res.FirstErr = fmt.Sprintf("status %d", status)
			}
		default:
			res.OK++
			res.Bytes += size
			res.Lat = append(res.Lat, time.Duration(secs*float64(time.Second)))
		}
	}
	slices.Sort(res.Lat)
	return res
}
