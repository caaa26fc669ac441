package sqltypes

import "testing"

func TestParseTypeName(t *testing.T) {
	tests := []struct {
		name   string
		args   []int
		max    bool
		cast   bool
		want   string
		errNum int32
	}{
		{"INT", nil, false, false, "int", 0},
		{"integer", nil, false, false, "int", 0},
		{"BigInt", nil, false, false, "bigint", 0},
		{"smallint", nil, false, false, "smallint", 0},
		{"tinyint", nil, false, false, "tinyint", 0},
		{"bit", nil, false, false, "bit", 0},
		{"decimal", nil, false, false, "numeric(18,0)", 0},
		{"NUMERIC", []int{25, 0}, false, false, "numeric(25,0)", 0},
		{"decimal", []int{10}, false, false, "numeric(10,0)", 0},
		{"decimal", []int{39, 0}, false, false, "", 2750},
		{"decimal", []int{5, 6}, false, false, "", 2751},
		{"float", nil, false, false, "float", 0},
		{"float", []int{24}, false, false, "real", 0},
		{"float", []int{53}, false, false, "float", 0},
		{"float", []int{54}, false, false, "", 2750},
		{"real", nil, false, false, "real", 0},
		{"nvarchar", []int{128}, false, false, "nvarchar(128)", 0},
		{"nvarchar", nil, true, false, "nvarchar(max)", 0},
		{"nvarchar", nil, false, false, "nvarchar(1)", 0},
		{"nvarchar", nil, false, true, "nvarchar(30)", 0},
		{"nvarchar", []int{4001}, false, false, "", 131},
		{"varchar", []int{8000}, false, false, "varchar(8000)", 0},
		{"varchar", []int{8001}, false, false, "", 131},
		{"varchar", nil, true, false, "varchar(max)", 0},
		{"nchar", []int{10}, false, false, "nchar(10)", 0},
		{"char", nil, false, false, "char(1)", 0},
		{"char", nil, true, false, "", 2715},
		{"datetime", nil, false, false, "datetime", 0},
		{"datetime2", nil, false, false, "datetime2(7)", 0},
		{"datetime2", []int{3}, false, false, "datetime2(3)", 0},
		{"datetime2", []int{8}, false, false, "", 2750},
		{"date", nil, false, false, "date", 0},
		{"uniqueidentifier", nil, false, false, "uniqueidentifier", 0},
		{"varbinary", nil, true, false, "varbinary(max)", 0},
		{"varbinary", []int{16}, false, false, "varbinary(16)", 0},
		{"varbinary", nil, false, true, "varbinary(30)", 0},
		{"binary", []int{8}, false, false, "binary(8)", 0},
		{"sysname", nil, false, false, "nvarchar(128)", 0},
		{"sys.sysname", nil, false, false, "nvarchar(128)", 0},
		{"[int]", nil, false, false, "int", 0},
		{"int", []int{4}, false, false, "", 2715},
		{"money", nil, false, false, "money", 0},
		{"SmallMoney", nil, false, false, "smallmoney", 0},
		{"money", []int{10}, false, false, "", 2715},
		{"hierarchyid", nil, false, false, "", 2715},
		{"xml", nil, false, false, "xml", 0},
		{"ntext", nil, false, false, "ntext", 0},
		{"text", []int{10}, false, false, "", 2715},
	}
	for _, tc := range tests {
		var got Type
		var err error
		if tc.cast {
			got, err = ParseCastTypeName(tc.name, tc.args, tc.max)
		} else {
			got, err = ParseTypeName(tc.name, tc.args, tc.max)
		}
		if n := errNum(err); n != tc.errNum {
			t.Errorf("ParseTypeName(%q, %v, %v) error %v, want %d", tc.name, tc.args, tc.max, err, tc.errNum)
			continue
		}
		if err == nil && got.String() != tc.want {
			t.Errorf("ParseTypeName(%q, %v, %v) = %s, want %s", tc.name, tc.args, tc.max, got, tc.want)
		}
	}
	_, err := ParseTypeNameOpts("hierarchyid", nil, false, TypeNameOptions{Position: 3})
	if want := "Column, parameter, or variable #3: Cannot find data type hierarchyid."; errMessage(err) != want {
		t.Errorf("2715 text %q, want %q", errMessage(err), want)
	}
}

func TestResultTypeAndPrecedence(t *testing.T) {
	tests := []struct {
		a, b Type
		want string
	}{
		{TypeInt, TypeBigInt, "bigint"},
		{TypeTinyInt, TypeSmallInt, "smallint"},
		{TypeBit, TypeTinyInt, "tinyint"},
		{TypeInt, VarChar(10), "int"},
		{VarChar(10), NVarChar(5), "nvarchar(10)"},
		{VarChar(10), VarChar(MaxLength), "varchar(max)"},
		{Type{Kind: KindChar, Length: 3}, VarChar(2), "varchar(3)"},
		{NVarChar(4000), VarChar(8000), "nvarchar(max)"},
		{TypeInt, DecimalType(5, 2), "numeric(12,2)"},
		{DecimalType(10, 4), DecimalType(20, 1), "numeric(23,4)"},
		{DecimalType(38, 0), DecimalType(38, 38), "numeric(38,0)"},
		{TypeFloat, DecimalType(5, 2), "float"},
		{TypeReal, TypeInt, "real"},
		{TypeFloat, TypeReal, "float"},
		{TypeDateTime, VarChar(30), "datetime"},
		{TypeDateTime, TypeDate, "datetime"},
		{DateTime2(2), TypeDateTime, "datetime2(3)"},
		{DateTime2(2), DateTime2(5), "datetime2(5)"},
		{TypeGUID, NVarChar(36), "uniqueidentifier"},
		{VarBinary(4), Type{Kind: KindBinary, Length: 8}, "varbinary(8)"},
		{VarBinary(4), VarChar(2), "varchar(4)"},
		{Type{}, TypeInt, "int"},
		{TypeDate, TypeFloat, "date"},
	}
	for _, tc := range tests {
		if got := ResultType(tc.a, tc.b).String(); got != tc.want {
			t.Errorf("ResultType(%s, %s) = %s, want %s", tc.a, tc.b, got, tc.want)
		}
		if got := ResultType(tc.b, tc.a).String(); got != tc.want {
			t.Errorf("ResultType(%s, %s) (swapped) = %s, want %s", tc.b, tc.a, got, tc.want)
		}
	}
	order := []Kind{KindDateTime2, KindDateTime, KindDate, KindFloat, KindReal, KindDecimal, KindBigInt, KindInt, KindSmallInt, KindTinyInt, KindBit, KindUniqueIdentifier, KindNVarChar, KindNChar, KindVarChar, KindChar, KindVarBinary, KindBinary}
	for i := 1; i < len(order); i++ {
		if Precedence(order[i-1]) <= Precedence(order[i]) {
			t.Errorf("precedence %v <= %v", Type{Kind: order[i-1]}.Name(), Type{Kind: order[i]}.Name())
		}
	}
}

func TestLiteralType(t *testing.T) {
	g, _ := ParseGUID("6F9619FF-8B86-D011-B42D-00C04FC964FF")
	tests := []struct {
		v    Value
		want string
	}{
		{nil, "int"},
		{int64(5), "int"},
		{int64(1) << 31, "bigint"},
		{int64(-1 << 31), "int"},
		{dec(t, "1.50"), "numeric(3,2)"},
		{dec(t, "0.005"), "numeric(3,3)"},
		{dec(t, "12345"), "numeric(5,0)"},
		{"abc", "varchar(3)"},
		{"", "varchar(1)"},
		{[]byte{1, 2}, "varbinary(2)"},
		{1.5, "float"},
		{true, "bit"},
		{ts(2000, 1, 1, 0, 0, 0, 0), "datetime"},
		{g, "uniqueidentifier"},
		{struct{}{}, "invalid"},
	}
	for _, tc := range tests {
		if got := LiteralType(tc.v).String(); got != tc.want {
			t.Errorf("LiteralType(%#v) = %s, want %s", tc.v, got, tc.want)
		}
	}
}
