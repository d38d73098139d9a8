package oci

import (
	"context"
	"errors"
	"fmt"
	"regexp"
	"slices"
	"strings"

	"golang.org/x/mod/semver"
	"oras.land/oras-go/v2/registry"
)

// semverTag matches the form of the versions bundle manifests carry:
// MAJOR.MINOR.PATCH[-PRERELEASE]. semver.IsValid alone would also take "v1.2" shorthand and
// "+build" metadata, which OCI tags cannot hold.
var semverTag = regexp.MustCompile(`^(0|[1-9][0-9]*)\.(0|[1-9][0-9]*)\.(0|[1-9][0-9]*)(?:-([0-9A-Za-z.-]+))?$`)

// isVersionTag reports whether tag is a semantic version (without a leading "v").
func isVersionTag(tag string) bool {
	return semverTag.MatchString(tag) && semver.IsValid("v"+tag)
}

// compareVersions orders two tags by semantic version precedence; a tag that is not a version
// sorts below every version, and such tags sort by text.
func compareVersions(a, b string) int {
	va, vb := isVersionTag(a), isVersionTag(b)
	switch {
	case !va && !vb:
		return strings.Compare(a, b)
	case !va:
		return -1
	case !vb:
		return 1
	}
	// golang.org/x/mod/semver wants the leading "v" that tags leave out.
	return semver.Compare("v"+a, "v"+b)
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

func isPrerelease(tag string) bool { return semver.Prerelease("v"+tag) != "" }

// latestVersion returns the repository's highest release tag, or its highest prerelease tag
// when it has no release.
func latestVersion(ctx context.Context, repo tagLister) (string, error) {
	tags, err := listTags(ctx, repo)
	if err != nil {
		if errors.Is(err, ErrNotFound) {
			return "", onHub(err)
		}
		return "", fmt.Errorf("list tags: %w", err)
	}
	tags = slices.DeleteFunc(tags, func(t string) bool { return !isVersionTag(t) })
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
