package report

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
)

// ErrNoChromium reports that no headless Chromium is installed.
var ErrNoChromium = errors.New("no Chromium found to print the PDF: install the Debian package chromium (apt-get install chromium), or set COLDCHAIN_CHROMIUM to a Chromium binary")

// FindChromium returns the path of a Chromium binary: COLDCHAIN_CHROMIUM,
// else chromium or chromium-browser on PATH. It returns ErrNoChromium when
// there is none.
func FindChromium() (string, error) {
	if p := os.Getenv("COLDCHAIN_CHROMIUM"); p != "" {
		if _, err := os.Stat(p); err != nil {
			return "", fmt.Errorf("COLDCHAIN_CHROMIUM=%s: %w", p, err)
		}
		return p, nil
	}
	for _, name := range []string{"chromium", "chromium-browser"} {
		if p, err := exec.LookPath(name); err == nil {
			return p, nil
		}
	}
	return "", ErrNoChromium
}

// PrintPDF prints the HTML page to a PDF file out with headless Chromium
// (A4, no browser header or footer). The page must not need the network:
// the report's map and chart are inline SVG.
func PrintPDF(ctx context.Context, page []byte, out string) error {
	bin, err := FindChromium()
	if err != nil {
		return err
	}
	dir, err := os.MkdirTemp("", "coldchain-report-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	src := filepath.Join(dir, "report.html")
	if err := os.WriteFile(src, page, 0o644); err != nil {
		return err
	}
	abs, err := filepath.Abs(out)
	if err != nil {
		return err
	}
	cmd := exec.CommandContext(ctx, bin, "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
		"--disable-component-update", "--no-first-run", "--user-data-dir="+filepath.Join(dir, "profile"),
		"--no-pdf-header-footer", "--print-to-pdf="+abs, "file://"+src)
	var logs bytes.Buffer
	cmd.Stdout, cmd.Stderr = &logs, &logs
	if err := cmd.Run(); err != nil {
		return fmt.Errorf("chromium could not print the report: %w\n%s", err, logs.String())
	}
	if st, err := os.Stat(abs); err != nil || st.Size() == 0 {
		return fmt.Errorf("chromium wrote no PDF to %s:\n%s", abs, logs.String())
	}
	return nil
}
