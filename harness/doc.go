// Package harness is the engine of layercheck and its entry point for
// callers: it builds a stack of read-only layers through a backend, mounts
// it with a fresh upper, applies a scenario's ops to the merged view and, in
// lockstep, to a plain reference directory, and turns every difference into
// a finding, explained by the backend's documented deviations or left
// unexpected.
//
// The pipeline of one scenario (RunScenario, runPhases in pipeline.go),
// each phase a function in a file of its own with an explicit input and
// output, and the run state they share (*scenarioRun: the scenario's
// directory, the reference, the layers and mounted stack, the findings):
//
//	prepare  (phase_prepare.go) the scenario's directory, the reference
//	         copy of the base, the layers; layer 0 is the base
//	build    (phase_build.go) layer k written through a mount of layers
//	         0..k-1 with layer k as the upper (or, --build extract,
//	         written directly in the backend's on-disk format); a layout
//	         that seals layers (squashfs, erofs) packs each once complete;
//	         gives the runtime and offline steps
//	runtime  (phase_runtime.go) every layer as a lower, a fresh upper;
//	         runtime ops in lockstep; snapshot the merged view and the
//	         reference; unmount; gives the two views
//	commit   (phase_commit.go, commitcheck.go) each final upper, of a layer
//	         built through a mount (in build) and of the runtime, written
//	         as an OCI layer tar (harness/commit), applied onto the image
//	         of the layers below and compared with the merged view it
//	         belonged to: kind commit
//	offline  (phase_offline.go) changes made directly to a layer while
//	         nothing is mounted; gives the reference the remount must show
//	remount  (phase_remount.go) mount again and snapshot: the view must
//	         persist; gives the views
//	compare  (phase_compare.go) snapshot.Compare into findings, and the
//	         times and inode identity checks (times.go, inodes.go)
//	rebuilt  (phase_rebuilt.go, Scenario.Rebuild) the layers copied and
//	         mounted from there, compared with the remount
//
// backend.Expectation marks the documented findings, Config.Standing those
// the null scenario shows too (standing.go); Verdict says what the
// scenario came to.
//
// A run judges its results with Gate, the one policy of what fails
// (gate.go), and folds them into distinct Deviations (deviations.go).
//
// Packages, imports pointing down only (a test asserts it):
//
//	cmd/layercheck           the command: flags, words, exit codes, reports
//	frontend/driver          the go test entry: TestBackend, Main (runs the
//	                         suites and fixtures through this engine)
//	frontend/spec            the suites as Ginkgo specs
//	frontend/repro           reproducer scripts of results
//	suites, fixtures         scenario data; they name deviations by ID
//	                         (harness/deviation), never a backend
//	harness                  this engine: Plan (plan.go), Session (session_run.go:
//	                         the one protocol of a run), RunScenario
//	harness/backend/registry names to backends, for the command line
//	harness/backend/...      one package per backend (overlay, fuseoverlayfs,
//	                         unionfs, exec, control); they import the
//	                         contract, ovlformat, commit and layerdiff,
//	                         never one another
//	harness/ovlformat        overlayfs's on-disk format, shared by overlay,
//	                         fuse-overlayfs and control
//	harness/commit           an upper as an OCI layer tar, and back
//	harness/layerdiff        a layer as the difference of two states of a
//	                         directory (extract builder, control backend)
//	harness/sandbox          private mount namespace, rootless, scratch, cleanup
//	harness/errs             UsageError, EnvError: what a front end maps to exit codes
//	harness/layout           storage layouts: where layers and uppers live
//	                         (Config.Layout; layouts.go holds the engine's side)
//	harness/backend          the contract: Backend, Mount, MountSpec,
//	                         Expectation, KnownIssue, formats, capabilities
//	harness/scenario         scenarios, steps, expansion over depth
//	harness/deviation        the IDs of documented deviations, where scenarios
//	                         and backends' expectations meet
//	harness/triage           a finding's signature, baselines of them
//	harness/snapshot         snapshots, findings, comparison
//	harness/fsop             ops as values, applied beneath a root
//	harness/kernfeat         the kernel features newer than 5.15, probed once,
//	                         and which fallback is in use (asked by fsop, the
//	                         overlay backend, sandbox and layout)
//
// A backend tells the engine what it can do through optional interfaces of
// package backend (KnownIssuer, ScenarioSkipper, Extractable,
// ShellMounter, CopyRefuser, OnDiskFormatter, LayerReader, and
// SameFormatter of its whiteout formats), never by its concrete type or
// its name.
package harness
