package topology

import "fmt"

// Product is the server product the Persistent Chat pool runs. Both ship
// the same Persistent Chat cmdlets and the same failover and failback
// procedure (reference §0), but in PowerShell modules of different names:
// a script that imports the other product's module fails before its first
// cmdlet, so the engine must know which one it drives.
type Product string

// The products with Persistent Chat (Skype for Business Server 2019 has
// none, reference §0).
const (
	ProductLync2013  Product = "lync2013"
	ProductSkype2015 Product = "skype2015"
)

// DefaultProduct is assumed when the topology has no pool.product: the
// newer product, the one the engine drove before the key existed.
const DefaultProduct = ProductSkype2015

// Valid reports whether p is one of the two products.
func (p Product) Valid() bool { return p == ProductLync2013 || p == ProductSkype2015 }

// Name is the product's name as Microsoft writes it.
func (p Product) Name() string {
	switch p {
	case ProductLync2013:
		return "Lync Server 2013"
	case ProductSkype2015:
		return "Skype for Business Server 2015"
	}
	return string(p)
}

// Describe says which product the topology names, or that it was assumed
// because pool.product is absent (plan and run say it, so an operator of a
// Lync Server 2013 pool sees the wrong assumption before anything runs).
func (pool Pool) Describe() string {
	if pool.ProductAssumed {
		return fmt.Sprintf("%s (assumed: the topology has no pool.product; set it to %s or %s)", pool.Product.Name(), ProductLync2013, ProductSkype2015)
	}
	return pool.Product.Name() + " (pool.product)"
}
