// Package errs holds the two errors every layer of layercheck may return
// to a front end, which maps them to its own words and exit codes: a bad
// request (UsageError, exit 2 on the command line) and an environment
// that cannot run the check (EnvError, exit 3). It imports nothing of
// layercheck, so that the sandbox, the fixtures and the backends report
// them without importing the backend contract or the engine.
package errs

// UsageError is an error in what the caller asked for: a setting out of
// range, options a backend refuses, a template it cannot use. The library
// names the setting in its own words (Setting: "depth", "options",
// "backend", "build", "unmount"); a front end names it its own way (the
// command line as a flag, --depth) and picks the exit code (2).
type UsageError struct {
	Setting string // "" when no one setting is at fault
	Msg     string
}

func (e *UsageError) Error() string { return withSetting(e.Setting, e.Msg) }

// EnvError says the environment cannot run the check: no privilege, a
// backend not installed, a kernel without the filesystem (exit code 3 on
// the command line). Setting names the setting that asked for it, if one
// did ("rootless").
type EnvError struct {
	Setting string
	Msg     string
}

func (e *EnvError) Error() string { return withSetting(e.Setting, e.Msg) }

func withSetting(setting, msg string) string {
	if setting == "" {
		return msg
	}
	return setting + ": " + msg
}
