package harness

import (
	"regexp"
	"runtime"
	"slices"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/layercheck/layercheck/harness/backend"
	"github.com/layercheck/layercheck/harness/kernlog"
	"github.com/layercheck/layercheck/harness/snapshot"
	"golang.org/x/sys/unix"
)

// Kernel health per scenario: a kernlog watch is open from the start of a
// scenario to its end, and what the kernel logged meanwhile that is a
// problem becomes a crash finding of the scenario (field "warning", or
// "taint" for a new taint bit with no line): a WARNING, BUG, Oops, lockdep
// or hung-task report, or an overlayfs or fuse warning that is not about
// the mount's own configuration (see overlayNote).
//
// Scenarios run in parallel share one kernel, and other programs share it
// too. A line is the scenario's when it names the scenario's directory
// (every layer, upper and mount point is beneath it) or when the task it
// names is the scenario's own thread: RunScenario runs on one locked OS
// thread, on which it makes its ops and, for a kernel filesystem, its
// mounts. Any other line is a suspect: Recheck reruns the suspected
// scenarios one at a time and keeps a line only where it comes again.
// Lines a process wrote to /dev/kmsg are never a kernel's (FromKernel).

// kernelWatch is what the engine needs of a kernlog.Watch.
type kernelWatch interface {
	Check() (kernlog.Report, error)
	Close() error
}

// openKernelWatch opens the watch of one scenario; tests replace it to
// feed records formatted as the kernel formats them.
var openKernelWatch = func() (kernelWatch, error) { return kernlog.Open() }

var health struct {
	once   sync.Once
	reason string      // why there is no kernel check, "" if there is
	off    atomic.Bool // no kernel check this run
}

// KernelHealthUnavailable says why scenarios run without the kernel log
// check ("" when they run with it): it is said once per run, not per
// scenario.
func KernelHealthUnavailable() string { return health.reason }

// healthWatch is one scenario's watch and thread.
type healthWatch struct {
	w   kernelWatch
	tid int
}

// startHealth locks the scenario to its OS thread and opens its watch; it
// returns nil when the kernel log cannot be read (said once).
func startHealth() *healthWatch {
	runtime.LockOSThread()
	h := &healthWatch{tid: unix.Gettid()}
	if health.off.Load() {
		return h
	}
	w, err := openKernelWatch()
	if err != nil {
		health.once.Do(func() {
			health.reason = "kernel health is not checked: " + err.Error()
			health.off.Store(true)
		})
		return h
	}
	h.w = w
	return h
}

// finish checks the watch and releases the thread: the lines that are the
// scenario's become crash findings; the others are its suspects.
func (h *healthWatch) finish(r *scenarioRun, res *Result) {
	defer runtime.UnlockOSThread()
	if h.w == nil {
		return
	}
	defer h.w.Close()
	rep, _ := h.w.Check()
	var mine []string
	for _, l := range rep.Lines {
		if !l.FromKernel() || !r.problem(l) {
			continue
		}
		pid, ok := l.PID()
		if (r.dir != "" && l.Mentions(r.dir)) || ok && pid == h.tid {
			mine = append(mine, l.Text)
		} else {
			res.KernelSuspects = append(res.KernelSuspects, stamp(l))
		}
	}
	var taint []string
	for _, t := range rep.NewTaint {
		if t.Severe() {
			taint = append(taint, t.String())
		}
	}
	if len(taint) > 0 && len(mine) == 0 {
		res.KernelSuspects = append(res.KernelSuspects, "taint: "+strings.Join(taint, ", "))
		taint = nil
	}
	addKernelFindings(res, kernelFindings(mine, taint), &r.cfg)
}

// kernelLogged begins the text of a kernel finding, its lines after it.
const kernelLogged = "the kernel logged: "

// kernelFindings turns the kernel's lines and taint bits into findings.
func kernelFindings(lines, taint []string) []snapshot.Finding {
	var severe, fsLines []string
	class := ""
	for _, l := range lines {
		if c := snapshot.FSWarningClass(l); c != "" {
			fsLines, class = append(fsLines, l), c
		} else {
			severe = append(severe, l)
		}
	}
	var out []snapshot.Finding
	if len(severe) > 0 || len(taint) > 0 {
		f := snapshot.Finding{Kind: snapshot.KindCrash, Field: "warning", Reference: "a quiet kernel log"}
		if len(severe) == 0 {
			f.Field = "taint"
		}
		what := severe
		if len(taint) > 0 {
			what = append(slices.Clone(what), "new taint: "+strings.Join(taint, ", "))
		}
		f.Merged = kernelLogged + strings.Join(what, "\n")
		out = append(out, f)
	}
	if len(fsLines) > 0 {
		out = append(out, snapshot.Finding{Kind: snapshot.KindKernelWarning, Field: class,
			Reference: "a quiet kernel log", Merged: kernelLogged + strings.Join(fsLines, "\n")})
	}
	return out
}

// addKernelFindings puts fs first among res's findings, tags the known
// issues of the backend among them (cfg may be nil), and fails res.
func addKernelFindings(res *Result, fs []snapshot.Finding, cfg *Config) {
	if len(fs) == 0 {
		return
	}
	if cfg != nil && cfg.Backend != nil {
		if k, ok := cfg.Backend.(backend.KnownIssuer); ok {
			markKnown(fs, k.KnownIssues(), &backend.Evidence{})
		}
	}
	res.Findings = append(fs, res.Findings...)
	if res.Verdict != Error && res.Verdict != Skip {
		res.Verdict = Fail
		if res.Reason == "" {
			res.Reason = "the kernel reported a problem during the scenario"
		}
	}
}

// problem reports whether l is a problem of the kernel that the scenario's
// set-up does not explain.
func (r *scenarioRun) problem(l kernlog.Line) bool {
	if l.Severe() {
		return true
	}
	if l.Class != kernlog.ClassOverlayfs && l.Class != kernlog.ClassFuse {
		return false
	}
	return l.Priority <= 4 && !overlayNote(l.Text) && !r.offlineLowerExplains()
}

// mountNotes are the overlayfs and fuse messages about a mount's own
// configuration (fs/overlayfs/params.c, super.c): a refused mount, which
// the mount's error already reports, or a feature turned off for the
// layers' filesystem. They say how the mount was set up, not that it
// misbehaved.
var mountNotes = regexp.MustCompile(`(?i)failed to resolve|unknown parameter|conflicting options|not supported|does not support|falling back|null uuid|not a directory|must be|option|useless|too many|idmapped|is busy`)

func overlayNote(text string) bool {
	first, _, _ := strings.Cut(text, "\n")
	return mountNotes.MatchString(first)
}

// offlineLowerExplains reports whether the scenario changed a lower layer
// offline under a feature that overlayfs.rst ("Changes to underlying
// filesystems") says makes such changes undefined: metacopy, index, xino
// or redirect_dir. The kernel complaining about them is then its right.
func (r *scenarioRun) offlineLowerExplains() bool {
	if len(r.offline) == 0 || r.cfg.Backend == nil {
		return false
	}
	opts := r.cfg.Backend.Options()
	for _, f := range []string{"metacopy=on", "index=on", "xino=on", "redirect_dir=on", "redirect_dir=follow"} {
		if strings.Contains(opts, f) {
			return true
		}
	}
	return false
}
