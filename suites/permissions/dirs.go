package permissions

import (
	"github.com/layercheck/layercheck/harness/deviation"
	"github.com/layercheck/layercheck/harness/fsop"
	"github.com/layercheck/layercheck/harness/scenario"
)

// dirScenarios: the /etc case. A directory's mode or owner changed in
// layer k while its children come from layers below and above k, and the
// same change made offline on a lower layer, before or after the runtime
// mount copied the directory up.
func dirScenarios() []scenario.Scenario {
	out := []scenario.Scenario{
		{
			Name: "etc-mode-between-children",
			Doc: "etc gets a child in layer a, mode 0750 root:adm in layer b and a child in layer c: the merged etc has b's mode " +
				"and owner and all children, and other may not search it",
			Steps: []scenario.Step{
				scenario.InLayer("a", fsop.WriteFile{Path: "etc/a.conf", Data: "a\n", Mode: 0o644}),
				scenario.InLayer("b", fsop.Chmod{Path: "etc", Mode: 0o750}, fsop.Chown{Path: "etc", UID: 0, GID: 4}),
				scenario.InLayer("c", fsop.WriteFile{Path: "etc/c.conf", Data: "c\n", Mode: 0o644}),
			},
			Labels: labels("chmod", "chown", "dir"),
		},
		{
			Name: "etc-subdir-mode-between-children",
			Doc: "etc/ssh gets a key in layer a, mode 0700 in layer b, a config in layer c: b's mode holds over both, " +
				"and nobody but root reaches either",
			Steps: []scenario.Step{
				scenario.InLayer("a", fsop.WriteFile{Path: "etc/ssh/ssh_host_rsa_key", Data: "RSA\n", Mode: 0o600}),
				scenario.InLayer("b", fsop.Chmod{Path: "etc/ssh", Mode: 0o700}),
				scenario.InLayer("c", fsop.WriteFile{Path: "etc/ssh/ssh_config", Data: "Host *\n", Mode: 0o644}),
			},
			Labels: labels("chmod", "dir"),
		},
		{
			Name:   "etc-mode-in-layer-then-runtime-child",
			Doc:    "etc made 0750 root:adm in layer a keeps that mode and owner when a runtime write copies it up",
			Steps:  []scenario.Step{scenario.InLayer("a", fsop.Chmod{Path: "etc", Mode: 0o750}, fsop.Chown{Path: "etc", UID: 0, GID: 4}), scenario.Runtime(fsop.WriteFile{Path: "etc/rt.conf", Data: "rt\n", Mode: 0o644})},
			Labels: labels("chmod", "chown", "dir", "copy-up"),
		},
		{
			Name:   "dir-opened-up-in-layer-children-below",
			Doc:    "a private directory (root 0700) opened to 0755 in layer a shows its layer-0 children to every identity",
			Steps:  []scenario.Step{scenario.InLayer("a", fsop.Chmod{Path: "root", Mode: 0o755}, fsop.Chmod{Path: "root/.bashrc", Mode: 0o644})},
			Labels: labels("chmod", "dir"),
		},
		// Offline changes to a lower layer.
		{
			Name: "offline-chmod-of-copied-up-dir-in-layer-is-masked",
			Doc: "a directory that layer a holds (it added a child), copied up at runtime, then chmod'ed 0700 offline " +
				"in layer a, shows its upper copy's mode after the remount (documented: a merged directory shows the upper's metadata)",
			Steps: []scenario.Step{
				scenario.InLayer("a", fsop.WriteFile{Path: "etc/ssh/a.conf", Data: "a\n", Mode: 0o644}),
				scenario.Runtime(fsop.WriteFile{Path: "etc/ssh/new.conf", Data: "x\n", Mode: 0o644}),
				scenario.OfflineIn("a", fsop.Chmod{Path: "etc/ssh", Mode: 0o700}),
			},
			Labels: labels("chmod", "dir", "offline"),
			Expect: []string{deviation.MergedDirMeta},
		},
		{
			Name: "offline-chmod-in-layer-of-lower-only-dir-shows",
			Doc: "a directory that layer a holds, never copied up at runtime, chmod'ed 0700 offline in layer a, shows " +
				"the change after the remount",
			Steps: []scenario.Step{
				scenario.InLayer("a", fsop.WriteFile{Path: "etc/ssh/a.conf", Data: "a\n", Mode: 0o644}),
				scenario.Runtime(fsop.WriteFile{Path: "etc/hostname", Data: "changed\n", Mode: 0o644}),
				scenario.OfflineIn("a", fsop.Chmod{Path: "etc/ssh", Mode: 0o700}),
			},
			Labels: labels("chmod", "dir", "offline"),
		},
		{
			Name: "offline-chown-of-copied-up-dir-is-masked",
			Doc: "a directory copied up at runtime, then chowned to other offline in layer 0, shows its upper copy's " +
				"owner after the remount (documented)",
			Steps: []scenario.Step{
				scenario.Runtime(fsop.Mkdir{Path: "etc/ssh/sshd_config.d", Mode: 0o755}),
				scenario.OfflineAt(0, fsop.Chown{Path: "etc/ssh", UID: 1002, GID: 1002}),
			},
			Labels: labels("chown", "dir", "offline"),
			Expect: []string{deviation.MergedDirMeta},
		},
		{
			Name: "offline-chmod-of-lower-only-dir-shows",
			Doc: "a directory never copied up, chmod'ed 0700 and chowned offline in layer 0, shows the change after " +
				"the remount (offline changes to lower layers are allowed)",
			Steps: []scenario.Step{
				scenario.Runtime(fsop.WriteFile{Path: "etc/hostname", Data: "changed\n", Mode: 0o644}),
				scenario.OfflineAt(0, fsop.Chmod{Path: "etc/app", Mode: 0o700}, fsop.Chown{Path: "etc/app", UID: 1002, GID: 1002}),
			},
			Labels: labels("chmod", "chown", "dir", "offline"),
		},
	}
	return out
}
