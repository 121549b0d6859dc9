// Package snapshot records what a tree shows (type, mode, owner, data,
// xattrs, symlink targets, hardlink groups, what each identity may do) and
// compares two records into findings: the difference between the merged
// view and the reference is the product of a layercheck run. Findings are
// typed (Kind), classed for a reader under pressure (Severity) and carry
// the citation of the deviation that explains them, if one does.
package snapshot
