package whiteout

import (
	"github.com/layercheck/layercheck/harness/fsop"
	"github.com/layercheck/layercheck/harness/scenario"
)

// recreates: a name deleted and made again, in the same layer or a later
// one, as the same type or another; rm -rf dir && mkdir dir, also nested;
// and a recreated name deleted once more.
func recreates() []scenario.Scenario {
	return []scenario.Scenario{
		{
			Name:   "delete-then-recreate-above",
			Doc:    "a file deleted in layer a and written again in layer b shows only its new content",
			Steps:  []scenario.Step{scenario.InLayer("a", fsop.Remove{Path: "etc/hostname"}), scenario.InLayer("b", fsop.WriteFile{Path: "etc/hostname", Data: "new\n", Mode: 0o600})},
			Labels: []string{"delete", "recreate", "file"},
		},
		{
			Name:   "recreate-file-same-layer",
			Doc:    "a file deleted and written again in one layer shows only its new content and mode",
			Steps:  []scenario.Step{scenario.InLayer("a", fsop.Remove{Path: "etc/hostname"}, fsop.WriteFile{Path: "etc/hostname", Data: "new\n", Mode: 0o600})},
			Labels: []string{"delete", "recreate", "file"},
		},
		{
			Name: "file-to-dir-same-layer",
			Doc:  "a file replaced by a directory in one layer shows as the directory with its new child",
			Steps: []scenario.Step{scenario.InLayer("a", fsop.Remove{Path: "etc/hostname"}, fsop.Mkdir{Path: "etc/hostname", Mode: 0o750},
				fsop.WriteFile{Path: "etc/hostname/inner", Data: "inner\n", Mode: 0o644})},
			Labels: []string{"delete", "recreate", "type-change", "file", "dir"},
		},
		{
			Name: "file-to-dir-later-layer",
			Doc:  "a file deleted in layer a and made a directory in layer b shows as the directory",
			Steps: []scenario.Step{
				scenario.InLayer("a", fsop.Remove{Path: "etc/passwd"}),
				scenario.InLayer("b", fsop.Mkdir{Path: "etc/passwd", Mode: 0o700}, fsop.WriteFile{Path: "etc/passwd/inner", Data: "inner\n", Mode: 0o600}),
			},
			Labels: []string{"delete", "recreate", "type-change", "file", "dir"},
		},
		{
			Name:   "dir-to-file-same-layer",
			Doc:    "a populated directory replaced by a file in one layer shows as the file, none of the old children",
			Steps:  []scenario.Step{scenario.InLayer("a", fsop.RemoveAll{Path: "etc/ssh"}, fsop.WriteFile{Path: "etc/ssh", Data: "file now\n", Mode: 0o644})},
			Labels: []string{"delete", "recreate", "type-change", "file", "dir"},
		},
		{
			Name: "dir-to-file-later-layer",
			Doc:  "a directory removed in layer a and written as a file in layer b shows as the file",
			Steps: []scenario.Step{
				scenario.InLayer("a", fsop.RemoveAll{Path: "etc/app"}),
				scenario.InLayer("b", fsop.WriteFile{Path: "etc/app", Data: "file now\n", Mode: 0o640}),
			},
			Labels: []string{"delete", "recreate", "type-change", "file", "dir"},
		},
		{
			Name: "symlink-to-dir-same-layer",
			Doc:  "symlinks (one at the root) replaced by directories in one layer show as the directories",
			Steps: []scenario.Step{scenario.InLayer("a",
				fsop.Remove{Path: "etc/os-release"}, fsop.Mkdir{Path: "etc/os-release", Mode: 0o755},
				fsop.WriteFile{Path: "etc/os-release/inner", Data: "inner\n", Mode: 0o644},
				fsop.Remove{Path: "lib"}, fsop.Mkdir{Path: "lib", Mode: 0o755})},
			Labels: []string{"delete", "recreate", "type-change", "symlink", "dir"},
		},
		{
			Name: "symlink-to-dir-later-layer",
			Doc:  "a symlink deleted in layer a and made a directory in layer b shows as the directory",
			Steps: []scenario.Step{
				scenario.InLayer("a", fsop.Remove{Path: "etc/os-release"}),
				scenario.InLayer("b", fsop.Mkdir{Path: "etc/os-release", Mode: 0o700}),
			},
			Labels: []string{"delete", "recreate", "type-change", "symlink", "dir"},
		},
		{
			Name:   "dir-to-symlink-same-layer",
			Doc:    "a populated directory replaced by a symlink in one layer shows as the symlink, none of the old children",
			Steps:  []scenario.Step{scenario.InLayer("a", fsop.RemoveAll{Path: "etc/ssh"}, fsop.Symlink{Target: "../usr/share", Path: "etc/ssh"})},
			Labels: []string{"delete", "recreate", "type-change", "symlink", "dir"},
		},
		{
			Name: "dir-to-symlink-later-layer",
			Doc:  "a directory removed in layer a and made a symlink in layer b shows as the symlink",
			Steps: []scenario.Step{
				scenario.InLayer("a", fsop.RemoveAll{Path: "etc/app"}),
				scenario.InLayer("b", fsop.Symlink{Target: "/srv", Path: "etc/app"}),
			},
			Labels: []string{"delete", "recreate", "type-change", "symlink", "dir"},
		},
		{
			Name:   "rm-rf-then-mkdir-same-layer",
			Doc:    "rm -rf dir && mkdir dir in one layer: no old child comes back",
			Steps:  []scenario.Step{scenario.InLayer("a", fsop.RemoveAll{Path: "etc/app"}, fsop.Mkdir{Path: "etc/app", Mode: 0o755})},
			Labels: []string{"delete", "recreate", "dir", "opaque"},
		},
		{
			Name: "rm-rf-then-mkdir-later-layer",
			Doc:  "a directory removed in layer a and made again in layer b shows only its new child",
			Steps: []scenario.Step{
				scenario.InLayer("a", fsop.RemoveAll{Path: "etc/app"}),
				scenario.InLayer("b", fsop.Mkdir{Path: "etc/app", Mode: 0o700}, fsop.WriteFile{Path: "etc/app/new.conf", Data: "new\n", Mode: 0o600}),
			},
			Labels: []string{"delete", "recreate", "dir"},
		},
		{
			Name: "rm-rf-then-mkdir-two-levels-deep",
			Doc:  "rm -rf dir && mkdir -p dir/sub in one layer: neither level shows an old child",
			Steps: []scenario.Step{scenario.InLayer("a", fsop.RemoveAll{Path: "etc/app"}, fsop.Mkdir{Path: "etc/app", Mode: 0o750},
				fsop.Mkdir{Path: "etc/app/conf.d", Mode: 0o750}, fsop.WriteFile{Path: "etc/app/conf.d/new.conf", Data: "new\n", Mode: 0o640})},
			Labels: []string{"delete", "recreate", "dir", "opaque", "nested"},
		},
		{
			Name: "rm-rf-then-mkdir-three-levels-deep",
			Doc:  "rm -rf dir && mkdir -p dir/b/c in one layer, where the old tree went deeper: no old level comes back",
			Steps: []scenario.Step{scenario.InLayer("a", fsop.RemoveAll{Path: "srv/deep/a"}, fsop.Mkdir{Path: "srv/deep/a", Mode: 0o755},
				fsop.Mkdir{Path: "srv/deep/a/b", Mode: 0o755}, fsop.Mkdir{Path: "srv/deep/a/b/c", Mode: 0o755})},
			Labels: []string{"delete", "recreate", "dir", "opaque", "nested"},
		},
		{
			Name: "rm-rf-then-mkdir-nested-over-layers",
			Doc:  "a tree that layers 0 and a filled, rm -rf'd and made again three levels deep in layer b, shows no old child",
			Steps: []scenario.Step{
				scenario.InLayer("a", fsop.WriteFile{Path: "srv/deep/a/b/new.txt", Data: "a\n", Mode: 0o644}, fsop.Mkdir{Path: "srv/deep/a/b/c/extra", Mode: 0o755}),
				scenario.InLayer("b", fsop.RemoveAll{Path: "srv/deep/a"}, fsop.Mkdir{Path: "srv/deep/a", Mode: 0o755},
					fsop.Mkdir{Path: "srv/deep/a/b", Mode: 0o755}, fsop.Mkdir{Path: "srv/deep/a/b/c", Mode: 0o755}),
			},
			Labels: []string{"delete", "recreate", "dir", "opaque", "nested", "multi-layer"},
		},
		{
			Name: "rm-rf-then-mkdir-nested-later-layer",
			Doc:  "a tree removed in layer a and made again three levels deep in layer b shows no old child",
			Steps: []scenario.Step{
				scenario.InLayer("a", fsop.RemoveAll{Path: "srv/deep/a"}),
				scenario.InLayer("b", fsop.Mkdir{Path: "srv/deep/a", Mode: 0o755}, fsop.Mkdir{Path: "srv/deep/a/b", Mode: 0o755},
					fsop.Mkdir{Path: "srv/deep/a/b/c", Mode: 0o755}),
			},
			Labels: []string{"delete", "recreate", "dir", "nested"},
		},
		{
			Name: "recreate-then-delete-file",
			Doc:  "a file deleted in layer a, written again in b and deleted again in c is gone",
			Steps: []scenario.Step{
				scenario.InLayer("a", fsop.Remove{Path: "etc/hostname"}),
				scenario.InLayer("b", fsop.WriteFile{Path: "etc/hostname", Data: "b\n", Mode: 0o644}),
				scenario.InLayer("c", fsop.Remove{Path: "etc/hostname"}),
			},
			Labels: []string{"delete", "recreate", "file", "multi-layer"},
		},
		{
			Name: "recreate-then-delete-dir",
			Doc:  "a directory removed in layer a, made again in b and removed again in c is gone with every child",
			Steps: []scenario.Step{
				scenario.InLayer("a", fsop.RemoveAll{Path: "etc/ssh"}),
				scenario.InLayer("b", fsop.Mkdir{Path: "etc/ssh", Mode: 0o755}, fsop.WriteFile{Path: "etc/ssh/new", Data: "b\n", Mode: 0o644}),
				scenario.InLayer("c", fsop.RemoveAll{Path: "etc/ssh"}),
			},
			Labels: []string{"delete", "recreate", "dir", "multi-layer"},
		},
		{
			Name: "recreate-then-delete-same-layer",
			Doc:  "a file and a directory deleted, made again and deleted again in one layer are gone",
			Steps: []scenario.Step{scenario.InLayer("a",
				fsop.Remove{Path: "etc/hostname"}, fsop.WriteFile{Path: "etc/hostname", Data: "again\n", Mode: 0o644}, fsop.Remove{Path: "etc/hostname"},
				fsop.RemoveAll{Path: "etc/ssh"}, fsop.Mkdir{Path: "etc/ssh", Mode: 0o755}, fsop.Remove{Path: "etc/ssh"})},
			Labels: []string{"delete", "recreate", "file", "dir"},
		},
		{
			Name:   "dir-replaced-by-file-at-runtime",
			Doc:    "a lower directory removed at runtime and recreated as a file shows as the file",
			Steps:  []scenario.Step{scenario.Runtime(fsop.RemoveAll{Path: "srv/deep"}, fsop.WriteFile{Path: "srv/deep", Data: "file now\n", Mode: 0o644})},
			Labels: []string{"delete", "recreate", "dir", "type-change"},
		},
		{
			Name: "rm-rf-then-mkdir-at-runtime-over-layers",
			Doc:  "a directory that layers 0 and a filled, rm -rf'd and made again at runtime, shows only its new child",
			Steps: []scenario.Step{
				scenario.InLayer("a", fsop.WriteFile{Path: "etc/app/conf.d/20-a.conf", Data: "a\n", Mode: 0o640}),
				scenario.Runtime(fsop.RemoveAll{Path: "etc/app"}, fsop.Mkdir{Path: "etc/app", Mode: 0o750}, fsop.WriteFile{Path: "etc/app/new.conf", Data: "new\n", Mode: 0o640}),
			},
			Labels: []string{"delete", "recreate", "dir", "opaque", "runtime"},
		},
	}
}
