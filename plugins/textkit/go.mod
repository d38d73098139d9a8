module github.com/aiosys/aios/plugins/textkit

go 1.26.0

require github.com/extism/go-pdk v1.1.3
