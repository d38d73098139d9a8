package oci

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"oras.land/oras-go/v2/content"
	"oras.land/oras-go/v2/registry"
)

// Agent is one repository of bundles on a registry.
type Agent struct {
	// Repository is the repository path, e.g. "agents/summarizer"; Ref adds the host.
	Repository, Ref string
	// Name and Description come from the highest version.
	Name, Description string
	// Versions are the bundle tags, highest version first.
	Versions []Version
}

// Version is one tagged bundle.
type Version struct {
	Tag, Version, Description, Digest, Created string
}

// Search lists the agents on the registry at host: every repository (from the catalog) with
// at least one bundle tag, whose name or description contains term, case-insensitively.
// An empty term lists all. Tags that are not bundles are left out.
func (r Remote) Search(ctx context.Context, host, term string) ([]Agent, error) {
	reg, err := r.registry(host)
	if err != nil {
		return nil, fmt.Errorf("search: %w", err)
	}
	var repos []string
	err = reg.Repositories(ctx, "", func(page []string) error {
		repos = append(repos, page...)
		return ctxDone(ctx)
	})
	if err != nil {
		return nil, fmt.Errorf("search %s: catalog: %w", host, classify(err))
	}
	term = strings.ToLower(term)
	var out []Agent
	for _, name := range repos {
		repo, err := reg.Repository(ctx, name)
		if err != nil {
			return nil, fmt.Errorf("search %s: %w", host, err)
		}
		agent, err := describe(ctx, repo, host, name)
		if err != nil {
			return nil, fmt.Errorf("search %s: %s: %w", host, name, err)
		}
		if len(agent.Versions) > 0 && matches(agent, term) {
			out = append(out, agent)
		}
	}
	return out, nil
}

// describe reads a repository's bundle tags.
func describe(ctx context.Context, repo registry.Repository, host, name string) (Agent, error) {
	tags, err := listTags(ctx, repo)
	if err != nil {
		return Agent{}, err
	}
	slices.SortFunc(tags, func(a, b string) int { return compareVersions(b, a) })
	agent := Agent{Repository: name, Ref: host + "/" + name}
	for _, tag := range tags {
		desc, err := repo.Resolve(ctx, tag)
		if err != nil {
			return Agent{}, classify(err)
		}
		if desc.Size > maxManifestBytes {
			continue
		}
		raw, err := content.FetchAll(ctx, repo, desc)
		if err != nil {
			return Agent{}, classify(err)
		}
		man, err := checkManifest(raw)
		if err != nil {
			continue
		}
		a := man.Annotations
		agent.Versions = append(agent.Versions, Version{
			Tag: tag, Version: a[AnnotationVersion], Description: a[AnnotationDescription],
			Digest: desc.Digest.String(), Created: a[AnnotationCreated],
		})
		if agent.Name == "" {
			agent.Name, agent.Description = a[AnnotationTitle], a[AnnotationDescription]
		}
	}
	return agent, nil
}

func matches(a Agent, term string) bool {
	if term == "" || strings.Contains(strings.ToLower(a.Repository), term) || strings.Contains(strings.ToLower(a.Name), term) {
		return true
	}
	for _, v := range a.Versions {
		if strings.Contains(strings.ToLower(v.Description), term) {
			return true
		}
	}
	return false
}
