package main

import (
	"flag"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/layercheck/layercheck/harness"
	"github.com/layercheck/layercheck/harness/commit"
	"golang.org/x/sys/unix"
)

// cmdExport writes the OCI layer tar of an existing upper directory (a
// stopped container's, a kept scenario's), the code the commit check
// runs:
//
//	layercheck export --lower L2:L1:L0 --upper U [--format F] [--explain] > layer.tar
//
// --explain lists, on stderr, every upper entry that shadows a lower one
// whose type, mode, owner or content differs: what an update of the lower
// layers will not reach. With --explain and stdout a terminal, only the
// list is written (on stdout).
func cmdExport(args []string) (int, error) {
	fs := flag.NewFlagSet("layercheck export", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	lower := fs.String("lower", "", "the layers under the upper, top first, ':'-separated as overlay's lowerdir= (`DIR:DIR...`)")
	upper := fs.String("upper", "", "the upper `DIR` to export")
	format := fs.String("format", string(commit.Overlay), "its on-disk `FORMAT`: "+formatNames())
	explain := fs.Bool("explain", false, "list the upper entries that shadow a lower entry whose type, mode, owner or content differs")
	output := fs.String("o", "", "write the tar to `FILE` instead of stdout")
	if err := fs.Parse(args); err != nil {
		if err == flag.ErrHelp {
			fs.SetOutput(os.Stdout)
			fmt.Println("usage: layercheck export --lower DIR:DIR... --upper DIR [--format F] [--explain] [-o FILE] > layer.tar")
			fs.PrintDefaults()
			return exitOK, nil
		}
		return 0, &harness.UsageError{Msg: err.Error()}
	}
	f, lowers, err := exportArgs(fs, *lower, *upper, *format)
	if err != nil {
		return 0, err
	}
	if *explain {
		if err := printShadows(*upper, lowers, f, *output == "" && isTerminal(os.Stdout)); err != nil {
			return 0, err
		}
	}
	return exitOK, writeLayer(*upper, lowers, f, *output, *explain)
}

// exportArgs checks the request: an upper and lowers that are
// directories, a known format, no stray argument.
func exportArgs(fs *flag.FlagSet, lower, upper, format string) (commit.Format, []string, error) {
	if fs.NArg() > 0 {
		return "", nil, &harness.UsageError{Msg: fmt.Sprintf("unexpected argument %q", fs.Arg(0))}
	}
	f, err := commit.ParseFormat(format)
	if err != nil {
		return "", nil, &harness.UsageError{Setting: "format", Msg: err.Error()}
	}
	if upper == "" {
		return "", nil, &harness.UsageError{Setting: "upper", Msg: "the upper directory to export is required"}
	}
	var lowers []string
	if lower != "" {
		lowers = strings.Split(lower, ":")
	}
	for _, d := range append([]string{upper}, lowers...) {
		if st, err := os.Stat(d); err != nil || !st.IsDir() {
			setting := "lower"
			if d == upper {
				setting = "upper"
			}
			return "", nil, &harness.UsageError{Setting: setting, Msg: fmt.Sprintf("%s is not a directory", d)}
		}
	}
	if os.Geteuid() != 0 && f != commit.OverlayUserxattr {
		return "", nil, &harness.EnvError{Msg: "reading trusted.* xattrs (whiteouts, opaque marks) needs root: run it as root"}
	}
	return f, lowers, nil
}

// printShadows lists what the upper pins, on stdout when toStdout (no
// tar is written then), else on stderr.
func printShadows(upper string, lowers []string, f commit.Format, toStdout bool) error {
	shadows, err := commit.Explain(upper, lowers, f)
	if err != nil {
		return err
	}
	w := os.Stderr
	if toStdout {
		w = os.Stdout
	}
	for _, s := range shadows {
		fmt.Fprintf(w, "%s: %s %s in the upper, %s in the lower (a lower update will not show)\n", s.Path, s.Field, s.Upper, s.Lower)
	}
	if len(shadows) == 0 {
		fmt.Fprintln(w, "no upper entry shadows a lower one with other metadata")
	}
	return nil
}

// writeLayer writes the tar to output (stdout if ""); a tar is not
// written to a terminal (with explain, the list was the answer).
func writeLayer(upper string, lowers []string, f commit.Format, output string, explain bool) error {
	w := io.Writer(os.Stdout)
	if output != "" {
		file, err := os.Create(output)
		if err != nil {
			return &harness.UsageError{Setting: "o", Msg: err.Error()}
		}
		defer file.Close()
		w = file
	} else if isTerminal(os.Stdout) {
		if explain {
			return nil
		}
		return &harness.UsageError{Msg: "stdout is a terminal: redirect it (> layer.tar) or use -o FILE"}
	}
	if err := commit.Write(w, upper, lowers, f); err != nil {
		return fmt.Errorf("export %s: %w", upper, err)
	}
	if file, ok := w.(*os.File); ok && output != "" {
		return file.Close()
	}
	return nil
}

func isTerminal(f *os.File) bool {
	_, err := unix.IoctlGetTermios(int(f.Fd()), unix.TCGETS)
	return err == nil
}

func formatNames() string {
	var names []string
	for _, f := range commit.Formats() {
		names = append(names, string(f))
	}
	return strings.Join(names, ", ")
}
