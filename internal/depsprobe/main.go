package main

import (
	_ "github.com/Shopify/toxiproxy/v2"
	_ "github.com/cucumber/godog"
	_ "github.com/masterzen/winrm"
	_ "github.com/microsoft/go-mssqldb"
	_ "github.com/prometheus/client_golang/prometheus"
	_ "github.com/prometheus/client_golang/prometheus/push"
	_ "github.com/testcontainers/testcontainers-go"
	_ "gopkg.in/yaml.v3"
)

func main() {}
