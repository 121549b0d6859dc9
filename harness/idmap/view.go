package idmap

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync/atomic"

	"golang.org/x/sys/unix"
)

// View is a directory tree seen two ways: Raw, the directory itself,
// holding host ids, and Mapped, an idmapped mount of it, showing container
// ids. The harness makes what a mapped layer holds through Mapped (so the
// kernel stores host ids) and hands the layer to a backend as an idmapped
// mount of its own, cloned from Raw (Stack).
type View struct {
	Raw, Mapped string
	ns          *Userns
	points      string // mount points of the layers' own idmapped mounts
	next        atomic.Int64
}

// NewView takes ns (Close closes it) and mounts raw at raw/idmapped through ns's mapping, raw's owner made
// container root's. mapped and the layers'
// mount points are made beneath raw (a clone does not carry the mounts
// beneath it, so they show in Mapped as empty directories).
func NewView(ns *Userns, raw string) (*View, error) {
	v := &View{Raw: raw, Mapped: filepath.Join(raw, "idmapped"), ns: ns, points: filepath.Join(raw, "idmap-layers")}
	if err := errors.Join(os.Mkdir(v.Mapped, 0o755), os.Mkdir(v.points, 0o755)); err != nil {
		ns.Close()
		return nil, err
	}
	// The root of the view is container root's, as a container's root
	// directory is: a directory owned by an unmapped id refuses even root
	// (capabilities count only over mapped owners).
	uid, _ := ns.m.HostUID(0)
	gid, _ := ns.m.HostGID(0)
	if err := os.Lchown(raw, int(uid), int(gid)); err != nil {
		ns.Close()
		return nil, err
	}
	if err := ns.Attach(raw, v.Mapped, raw); err != nil {
		ns.Close()
		return nil, err
	}
	return v, nil
}

// Close unmounts Mapped; the layers' mounts are gone already (Stack's
// release).
func (v *View) Close() error {
	v.ns.Close()
	if err := unix.Unmount(v.Mapped, unix.MNT_DETACH); err != nil {
		return fmt.Errorf("unmount %s: %w", v.Mapped, err)
	}
	return errors.Join(os.Remove(v.Mapped), os.RemoveAll(v.points))
}

// Mapping is the view's mapping.
func (v *View) Mapping() Mapping { return v.ns.m }

// IsMapped reports whether p lies in the mapped view.
func (v *View) IsMapped(p string) bool {
	return p == v.Mapped || strings.HasPrefix(p, v.Mapped+"/")
}

// RawPath is p's raw path (p itself if p is not in the mapped view).
func (v *View) RawPath(p string) string {
	if !v.IsMapped(p) {
		return p
	}
	return v.Raw + strings.TrimPrefix(p, v.Mapped)
}

// MappedPath is the path in the mapped view of p, a path beneath Raw.
func (v *View) MappedPath(p string) string {
	if v.IsMapped(p) || !strings.HasPrefix(p, v.Raw+"/") {
		return p
	}
	return v.Mapped + strings.TrimPrefix(p, v.Raw)
}

// Stack attaches the layers of a mount: every directory given by a path in
// the mapped view gets an idmapped mount of its own, a detached clone of
// its raw path (what container engines do per layer); a raw path is
// handed on as it is (an unmapped layer). upper and work share one
// mount, as overlay requires: their common parent is cloned. release
// unmounts what Stack mounted; call it after the backend's unmount.
func (v *View) Stack(lowers []string, upper, work string) (outLowers []string, outUpper, outWork string, release func() error, err error) {
	var points []string
	release = func() error {
		var errs []error
		for i := len(points) - 1; i >= 0; i-- {
			if e := unix.Unmount(points[i], 0); e != nil {
				errs = append(errs, fmt.Errorf("unmount idmapped layer %s: %w", points[i], e))
				continue
			}
			os.Remove(points[i])
		}
		return errors.Join(errs...)
	}
	attach := func(p string) (string, error) {
		if !v.IsMapped(p) {
			return p, nil
		}
		mp := filepath.Join(v.points, strconv.FormatInt(v.next.Add(1), 10))
		if err := os.Mkdir(mp, 0o700); err != nil {
			return "", err
		}
		if err := v.ns.Attach(v.RawPath(p), mp, p); err != nil {
			os.Remove(mp)
			return "", err
		}
		points = append(points, mp)
		return mp, nil
	}
	fail := func(err error) ([]string, string, string, func() error, error) {
		return nil, "", "", nil, errors.Join(err, release())
	}
	for _, l := range lowers {
		p, err := attach(l)
		if err != nil {
			return fail(err)
		}
		outLowers = append(outLowers, p)
	}
	outUpper, outWork = upper, work
	if v.IsMapped(upper) {
		parent := filepath.Dir(upper)
		if work != "" && filepath.Dir(work) != parent {
			return fail(fmt.Errorf("idmapped upper %s and work %s have different parents: overlay needs them on one mount", upper, work))
		}
		p, err := attach(parent)
		if err != nil {
			return fail(err)
		}
		outUpper = filepath.Join(p, filepath.Base(upper))
		if work != "" {
			outWork = filepath.Join(p, filepath.Base(work))
		}
	}
	return outLowers, outUpper, outWork, release, nil
}
