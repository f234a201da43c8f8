pragma circom 2.1.0;

include "circomlib/circuits/bitify.circom";

// A value in [0, 2^n): a field element at or above 2^n, or a negative number
// (which the field holds as p - x), has no n-bit decomposition.
template RangeCheck(n) {
    signal input in;
    component bits = Num2Bits(n);
    bits.in <== in;
}

// A signed value in (-2^n, 2^n), checked by shifting it into [0, 2^(n+1)).
template SignedRangeCheck(n) {
    signal input in;
    component bits = Num2Bits(n + 1);
    bits.in <== in + (1 << n);
}

// a < b for a, b in [0, 2^n); the caller range-checks both.
template Below(n) {
    signal input a;
    signal input b;
    signal output out;
    component bits = Num2Bits(n + 1);
    bits.in <== a + (1 << n) - b;
    out <== 1 - bits.out[n];
}

template AssertBit() {
    signal input in;
    in * (in - 1) === 0;
}
