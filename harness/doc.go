// Package harness is the engine of layercheck and its entry point for
// callers: it builds a stack of read-only layers through a backend, mounts
// it with a fresh upper, applies a scenario's ops to the merged view and, in
// lockstep, to a plain reference directory, and turns every difference into
// a finding, explained by the backend's documented deviations or left
// unexpected.
//
// The loop of one scenario (RunScenario):
//
//	build    layer 0 is the base; layer k is written through a mount of
//	         layers 0..k-1 with layer k as the upper (or, --build extract,
//	         written directly in the backend's on-disk format); a layout
//	         that seals layers (squashfs, erofs) packs each once complete
//	runtime  every layer as a lower, a fresh upper; runtime ops
//	snapshot the merged view and the reference; unmount
//	offline  changes made directly to a layer while nothing is mounted
//	remount  mount again and snapshot: the view must persist
//	rebuilt  (Scenario.Rebuild) the layers copied and mounted from there
//	compare  snapshot.Compare into findings, and the inode identity
//	         checks (inodes.go); backend.Expectation marks
//	         the documented ones, Config.Standing those the null scenario
//	         shows too (standing.go); Verdict says what the scenario came to
//	commit   (commitcheck.go) each final upper, of a layer built through a
//	         mount and of the runtime, written as an OCI layer tar
//	         (harness/commit), applied onto the image of the layers below
//	         and compared with the merged view it belonged to: kind commit
//
// A run judges its results with Gate, the one policy of what fails
// (gate.go), and folds them into distinct Deviations (deviations.go).
//
// Packages, imports pointing down only (a test asserts it):
//
//	cmd/layercheck           flags, words, exit codes, reports
//	harness/repro            reproducer scripts of results
//	harness                  this engine: Session, RunScenario, Run, TestBackend
//	                         (which runs suites and fixtures)
//	harness/backend/registry names to backends, for the command line
//	harness/backend/...      one package per backend (overlay, fuseoverlayfs,
//	                         unionfs, exec, control); they import the
//	                         contract only, and commit and layerdiff
//	harness/commit           an upper as an OCI layer tar, and back
//	harness/layerdiff        a layer as the difference of two states of a
//	                         directory (extract builder, control backend)
//	harness/sandbox          private mount namespace, rootless, scratch, cleanup
//	harness/layout           storage layouts: where layers and uppers live
//	                         (Config.Layout; layouts.go holds the engine's side)
//	harness/backend          the contract: Backend, Mount, MountSpec,
//	                         Expectation, KnownIssue, formats, capabilities
//	harness/scenario         scenarios, steps, expansion over depth
//	harness/triage           a finding's signature, baselines of them
//	harness/snapshot         snapshots, findings, comparison
//	harness/fsop             ops as values, applied beneath a root
//	harness/kernfeat         the kernel features newer than 5.15, probed once,
//	                         and which fallback is in use (asked by fsop, the
//	                         overlay backend, sandbox and layout)
//
// A backend tells the engine what it can do through optional interfaces of
// package backend (KnownIssuer, ScenarioSkipper, Extractable,
// ShellMounter, CopyRefuser, OnDiskFormatter), never by its concrete type.
package harness
