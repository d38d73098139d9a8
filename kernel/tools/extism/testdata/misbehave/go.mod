module github.com/aiosys/aios/kernel/tools/extism/testdata/misbehave

go 1.26.0

require github.com/extism/go-pdk v1.1.3
