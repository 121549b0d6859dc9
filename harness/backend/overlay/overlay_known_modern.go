package overlay

import (
	"os"
	"path"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/layercheck/layercheck/harness/backend"
	"github.com/layercheck/layercheck/harness/fsop"
	"github.com/layercheck/layercheck/harness/snapshot"
	"golang.org/x/sys/unix"
)

// Known issues that the image layouts (erofs, composefs, squashfs) show:
// seen here, documented nowhere. They stay failures (see KnownIssue).
const (
	KnownACLOnImageLower           = "overlay/posix-acl-set-refused-over-image-lower"
	KnownColonUnescaped            = "overlay/mountinfo-lowerdir-plus-colon-unescaped"
	KnownMetacopyRenameRedirectMax = "overlay/metacopy-rename-long-path-exdev"
)

// modernKnownIssues lists them.
//
// KnownColonUnescaped (the modern suite's
// mount-api/layer-names-need-escaping): the document promises \072 for a
// colon in a lowerdir+ layer's name in mountinfo; the kernel's own code
// shows it raw (seq_show_option escapes commas, '=', whitespace and
// backslashes). Minimal case, with a mount(8) that uses the new mount API
// (util-linux 2.39+) or fsconfig(2) directly:
//
//	mkdir -p 'a:b' l2 m; fsconfig(fd, FSCONFIG_SET_STRING, "lowerdir+", "$PWD/a:b")
//	grep overlay /proc/self/mountinfo    # lowerdir+=.../a:b, not a\072b
//
// KnownACLOnImageLower, minimal case (Linux 6.18, any options): a file of a lower layer that is
// a read-only erofs image (mounted with its default "acl"), setfacl through
// the merged view fails with EOPNOTSUPP, where the same file on a tmpfs
// lower is copied up and takes the ACL (and chmod, chown, setfattr user.*
// copy it up alike):
//
//	mkdir src; echo x > src/f; mkfs.erofs img src; mount -o loop,ro -t erofs img l
//	mount -t overlay o -o lowerdir=l:l2,upperdir=u,workdir=w m
//	setfacl -m u:1:r m/f      # Operation not supported; on a tmpfs lower: ok
//
// KnownMetacopyRenameRedirectMax (rename/rename-odd-names under
// metacopy=on: the dataonly and composefs layouts, the metacopy profile):
// rename(2) of a lower file to another directory copies up its metadata
// and must then record where the data is, an absolute redirect to the
// file's old path; where that path is longer than redirect_max (module
// parameter, 256 bytes) the rename fails with EXDEV, after the copy-up.
// overlayfs.rst names EXDEV only for directories ("renaming directories")
// and redirect_max only as "The maximum number of bytes in an absolute
// redirect"; nothing says a file's rename can fail. Minimal case (6.18):
//
//	mkdir -p l/d l/e u w m; touch l/d/$(printf 'n%.0s' $(seq 255))
//	mount -t overlay o -o lowerdir=l,upperdir=u,workdir=w,metacopy=on,redirect_dir=on m
//	mv -T m/d/nnn... m/e/nnn...   # rename: Invalid cross-device link (mv then copies)
func modernKnownIssues() []backend.KnownIssue {
	return []backend.KnownIssue{{
		ID: KnownMetacopyRenameRedirectMax,
		Summary: "with metacopy=on, rename(2) of a lower file to another directory fails with EXDEV where the file's " +
			"absolute path is longer than redirect_max (256 bytes: the redirect a metacopy rename records), and leaves " +
			"the metadata copy-up in the upper (seen on 6.18; overlayfs.rst names EXDEV only for renaming directories " +
			"and gives redirect_max as \"The maximum number of bytes in an absolute redirect\")",
		Match: matchMetacopyRenameRedirectMax,
		// What the rename that did not happen leaves on its source: the
		// name still there, the copy-up of the failed op.
		Follows: func(f snapshot.Finding) bool {
			return f.Kind == snapshot.KindExtra || f.Kind == snapshot.KindFailedOpCopyUp
		},
	}, {
		ID: KnownACLOnImageLower,
		Summary: "setting or removing a POSIX ACL on a file whose lower is a read-only erofs or squashfs image fails " +
			"with EOPNOTSUPP instead of copying the file up, so the ACL an image build or a container sets is lost " +
			"(seen on 6.18; overlayfs.rst, \"Permission model\" says ACLs are copied up, nothing of refusing them)",
		Match: matchACLOnImageLower,
		// What the refused ACL leaves behind on its path: the ACL absent,
		// the mode its mask would have set, the access it would have
		// given (beneath a directory too).
		Follows: func(f snapshot.Finding) bool {
			switch f.Kind {
			case snapshot.KindXattr:
				return strings.HasPrefix(strings.TrimPrefix(f.Field, "xattrs:"), "system.posix_acl_")
			case snapshot.KindMode, snapshot.KindAccess:
				return true
			}
			return false
		},
	}, {
		ID: KnownColonUnescaped,
		Summary: "a layer given by lowerdir+ whose name holds a colon shows in /proc/self/mountinfo as \"lowerdir+=/a:b\" " +
			"(6.18; params.c ovl_show_options shows it with seq_show_option, which escapes \",= \\t\\n\\\\\" only), where " +
			"overlayfs.rst, \"Multiple lower layers\", says such colons \"will be escaped as an octal characters (\\072)\"",
		Match: func(f snapshot.Finding, _ *backend.Evidence) bool {
			return f.Kind == snapshot.KindInvariant && f.Path == "/proc/self/mountinfo" && f.Field == "lowerdir+ colon"
		},
	}}
}

// matchACLOnImageLower: a system.posix_acl_* set or removal that gave
// ENOTSUP through a mount with an erofs or squashfs lower, ok on the
// reference.
func matchACLOnImageLower(f snapshot.Finding, ev *backend.Evidence) bool {
	if f.Kind != snapshot.KindErrno || !strings.HasPrefix(f.Merged, "ENOTSUP") || !strings.HasPrefix(f.Reference, "ok") {
		return false
	}
	var name string
	switch op := ev.Op.(type) {
	case fsop.SetXattr:
		name = op.Name
	case fsop.RemoveXattr:
		name = op.Name
	}
	if !strings.HasPrefix(name, "system.posix_acl_") || len(ev.Stack) < 2 {
		return false
	}
	for _, l := range ev.Stack[1:] {
		var st unix.Statfs_t
		if unix.Statfs(l, &st) == nil && (st.Type == unix.EROFS_SUPER_MAGIC_V1 || st.Type == unix.SQUASHFS_MAGIC) {
			return true
		}
	}
	return false
}

// redirectMax is overlayfs's redirect_max (module parameter; 256 if the
// module does not say).
func redirectMax() int {
	b, err := os.ReadFile("/sys/module/overlay/parameters/redirect_max")
	if n, perr := strconv.Atoi(strings.TrimSpace(string(b))); err == nil && perr == nil {
		return n
	}
	return 256
}

// matchMetacopyRenameRedirectMax: the EXDEV of a rename of a non-directory
// to another directory whose absolute source path is over redirect_max and
// whose source the upper now holds as a metacopy; or the destination of
// such a rename missing from the merged view, the same entry still at a
// source over redirect_max that the reference no longer has.
func matchMetacopyRenameRedirectMax(f snapshot.Finding, ev *backend.Evidence) bool {
	switch f.Kind {
	case snapshot.KindErrno:
		op, ok := ev.Op.(fsop.Rename)
		if !ok || f.Merged != "EXDEV" || !strings.HasPrefix(f.Reference, "ok") || ev.SourceType == "dir" ||
			path.Dir(op.From) == path.Dir(op.To) || len("/"+op.From) <= redirectMax() || len(ev.Stack) == 0 {
			return false
		}
		return metacopyIn(filepath.Join(ev.Stack[0], op.From))
	case snapshot.KindMissing:
		if ev.Ref == nil || ev.Merged == nil {
			return false
		}
		re, ok := ev.Ref.Entries[f.Path]
		if !ok || re.Type == "dir" {
			return false
		}
		for q, me := range ev.Merged.Entries {
			_, inRef := ev.Ref.Entries[q]
			if !inRef && path.Base(q) == path.Base(f.Path) && path.Dir(q) != path.Dir(f.Path) && len("/"+q) > redirectMax() &&
				me.Type == re.Type && me.Digest == re.Digest {
				return true
			}
		}
	}
	return false
}

// metacopyIn reports whether p carries overlayfs's metacopy mark, in
// either namespace.
func metacopyIn(p string) bool {
	for _, name := range []string{"trusted.overlay.metacopy", "user.overlay.metacopy"} {
		if _, err := unix.Lgetxattr(p, name, nil); err == nil {
			return true
		}
	}
	return false
}
