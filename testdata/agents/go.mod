module github.com/aiosys/aios/testdata/agents

go 1.26

require github.com/aiosys/aios/sdk-go v0.0.0-00010101000000-000000000000

replace github.com/aiosys/aios/sdk-go => ../../sdk-go
