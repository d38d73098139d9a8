module github.com/aiosys/aios/sdk-go

go 1.26
