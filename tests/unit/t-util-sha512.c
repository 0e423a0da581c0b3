/* SHA-512 (FIPS 180-4 test vectors, padding edges) and base64 (RFC 4648). */
#include <stdlib.h>
#include <string.h>

#include "harness.h"
#include "lib/util/sha512.h"

static void check(const char *msg, size_t len, const char *want)
{
	char hex[129];

	vb_sha512_hex(msg, len, hex);
	T_EQ_STR(hex, want);
}

void test_sha512__vectors(void)
{
	static const char two_blocks[] =
		"abcdefghbcdefghicdefghijdefghijkefghijklfghijklmghijklmn"
		"hijklmnoijklmnopjklmnopqklmnopqrlmnopqrsmnopqrstnopqrstu";
	char *big = malloc(1000000);
	char x[112];

	check("abc", 3, "ddaf35a193617abacc417349ae20413112e6fa4e89a97ea20a9eeee64b55d39a2192992a274fc1a836ba3c23a3feebbd454d4423643ce80e2a9ac94fa54ca49f");
	check("", 0, "cf83e1357eefb8bdf1542850d66d8007d620e4050b5715dc83f4a921d36ce9ce47d0d13c5d85f2b0ff8318d2877eec2f63b931bd47417a81a538327af927da3e");
	check(two_blocks, strlen(two_blocks), "8e959b75dae313da8cf4f72814fc143f8f7779c6eb9f7fa17299aeadb6889018501d289e4900f7e4331b99dec4b5433ac7d329eeb6dd26545e96e55b874be909");
	/* the length field just fits (111) / needs another block (112) */
	memset(x, 'x', sizeof(x));
	check(x, 111, "9a2a120825c2319867758ec277924f6faa254968bf752046dacdd948d8ad299b10359fd04bfd7d3810b5fa1b16a294236138baff981cbb85248478053ac4d3dd");
	check(x, 112, "a3722b515ef40c910f2419f6e0da8ca51d410114ce6272faae64045f9e9f630e7fa8dd5a3243c9860b899d148c3da4bc0f9e07454542604d030bb55531fe0d5b");
	T_ASSERT(big != NULL);
	if (big) {
		memset(big, 'a', 1000000);
		check(big, 1000000, "e718483d0ce769644e2e42c7bc15b4638e1f98b13b2044285632a803afa973ebde0ff244877ea60a4cb0432ce577c31beb009c5c2c49aa2e4eadb217ad8cc09b");
		free(big);
	}
}

void test_sha512__base64(void)
{
	static const char *const in[] = { "", "f", "fo", "foo", "foob",
					  "fooba", "foobar" };
	static const char *const out[] = { "", "Zg==", "Zm8=", "Zm9v",
					   "Zm9vYg==", "Zm9vYmE=", "Zm9vYmFy" };
	size_t i;

	for (i = 0; i < sizeof(in) / sizeof(in[0]); i++) {
		char *s = vb_base64_encode(in[i], strlen(in[i]));

		T_ASSERT(s != NULL);
		if (s)
			T_EQ_STR(s, out[i]);
		free(s);
	}
}
