package oci

import (
	"cmp"
	"context"
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"oras.land/oras-go/v2/registry"
)

// semverTag matches the versions bundle manifests carry: MAJOR.MINOR.PATCH[-PRERELEASE].
var semverTag = regexp.MustCompile(`^(0|[1-9][0-9]*)\.(0|[1-9][0-9]*)\.(0|[1-9][0-9]*)(?:-([0-9A-Za-z.-]+))?$`)

// compareVersions orders two tags by semantic version precedence; a tag that is not a version
// sorts below every version, and such tags sort by text.
func compareVersions(a, b string) int {
	ma, mb := semverTag.FindStringSubmatch(a), semverTag.FindStringSubmatch(b)
	switch {
	case ma == nil && mb == nil:
		return strings.Compare(a, b)
	case ma == nil:
		return -1
	case mb == nil:
		return 1
	}
	for i := 1; i <= 3; i++ {
		if c := compareNumeric(ma[i], mb[i]); c != 0 {
			return c
		}
	}
	return comparePrerelease(ma[4], mb[4])
}

// comparePrerelease applies semver's rule: no prerelease beats any prerelease; identifiers
// compare numerically when both are numbers, else as text; a longer list wins a tie.
func comparePrerelease(a, b string) int {
	switch {
	case a == b:
		return 0
	case a == "":
		return 1
	case b == "":
		return -1
	}
	pa, pb := strings.Split(a, "."), strings.Split(b, ".")
	for i := 0; i < min(len(pa), len(pb)); i++ {
		na, errA := strconv.ParseUint(pa[i], 10, 64)
		nb, errB := strconv.ParseUint(pb[i], 10, 64)
		var c int
		switch {
		case errA == nil && errB == nil:
			c = cmp.Compare(na, nb)
		case errA == nil:
			c = -1
		case errB == nil:
			c = 1
		default:
			c = strings.Compare(pa[i], pb[i])
		}
		if c != 0 {
			return c
		}
	}
	return cmp.Compare(len(pa), len(pb))
}

func compareNumeric(a, b string) int {
	if c := cmp.Compare(len(a), len(b)); c != 0 {
		return c
	}
	return strings.Compare(a, b)
}

// tagLister is the part of a repository that lists tags.
type tagLister interface {
	Tags(ctx context.Context, last string, fn func(tags []string) error) error
}

// listTags returns every tag of a repository.
func listTags(ctx context.Context, repo tagLister) ([]string, error) {
	var tags []string
	err := repo.Tags(ctx, "", func(page []string) error {
		tags = append(tags, page...)
		return ctxDone(ctx)
	})
	if err != nil {
		return nil, classify(err)
	}
	return tags, nil
}

func isPrerelease(tag string) bool { return strings.Contains(tag, "-") }

// latestVersion returns the repository's highest release tag, or its highest prerelease tag
// when it has no release.
func latestVersion(ctx context.Context, repo tagLister) (string, error) {
	tags, err := listTags(ctx, repo)
	if err != nil {
		return "", fmt.Errorf("list tags: %w", err)
	}
	tags = slices.DeleteFunc(tags, func(t string) bool { return !semverTag.MatchString(t) })
	if len(tags) == 0 {
		return "", fmt.Errorf("%w: no version tags (name one: REPOSITORY:TAG)", ErrNotFound)
	}
	if stable := slices.DeleteFunc(slices.Clone(tags), isPrerelease); len(stable) > 0 {
		tags = stable
	}
	return slices.MaxFunc(tags, compareVersions), nil
}

// ensure the oras repository lists tags as tagLister expects.
var _ tagLister = registry.Repository(nil)
