pragma circom 2.1.0;

include "circomlib/circuits/poseidon.circom";
include "circomlib/circuits/bitify.circom";
include "./range.circom";

// Hash of one market row: one Poseidon permutation over the 16 risk-array
// entries whose initial state (the capacity element) carries
// tag | mark << 4 | som << 68. That packing saves a second permutation per
// row; it is one-to-one because the tag has 4 bits (checked by the caller)
// and mark and som are range-checked here to 64 bits.
template RowHash() {
    signal input tag;
    signal input mark;
    signal input som;
    signal input entries[16];
    signal output out;
    component markRange = RangeCheck(64);
    markRange.in <== mark;
    component somRange = RangeCheck(64);
    somRange.in <== som;
    component row = PoseidonEx(16, 1);
    for (var k = 0; k < 16; k++) row.inputs[k] <== entries[k];
    row.initialState <== tag + mark * (1 << 4) + som * (1 << 68);
    out <== row.out[0];
}

// One holding of the account (a position or a collateral amount) joined to
// its market row. Quantities are in 1e-8 units, per-unit figures in 1e-6 USD,
// so every product is in 1e-14 USD.
//
// The row's digest must be the table's digest at `index` (`rows` holds all of
// them; the caller hashes them into the market root once). A one-hot
// selector picks it: its products are zero but one, which costs the prover
// almost nothing.
//
// A holding with quantity 0 is an unused slot: its row is not checked against
// the market (the membership difference is multiplied by the quantity) and
// every figure it outputs is a multiple of its quantity, so it adds nothing.
//
// Rounding against the account: the market commits marks and entries rounded
// down; a short holding counts one more unit (1e-6 USD) per unit held, so the
// figure used is never above the exact one, long or short.
template Holding(indexBits, entryBits) {
    signal input index;        // row index in its market table
    signal input qAbs;         // |quantity|, 1e-8 units
    signal input qNeg;         // 1 when short
    signal input entry;        // entry price (linear positions), 1e-6 USD per unit
    signal input tag;          // underlying index 0..14; 15 = no price risk
    signal input mark;
    signal input som;
    signal input entries[16];
    signal input rows[1 << indexBits];

    signal output packed;      // index | qNeg | qAbs | entry, for the leaf
    signal output q;           // signed quantity
    signal output shortUnits;  // qNeg * qAbs
    signal output value;       // contribution to equity, 1e-14 USD
    signal output som14;       // short option minimum, 1e-14 USD
    signal output underlying;  // the tag's four bits, 15 when none
    signal output noRisk;      // 1 when the tag is 15
    signal output entriesOut[16];

    component idx = Num2Bits(indexBits);
    idx.in <== index;
    component qRange = RangeCheck(64);
    qRange.in <== qAbs;
    component negBit = AssertBit();
    negBit.in <== qNeg;
    component entryRange = RangeCheck(entryBits);
    entryRange.in <== entry;
    component tagBits = Num2Bits(4);
    tagBits.in <== tag;

    packed <== index + qNeg * (1 << indexBits) + qAbs * (1 << (indexBits + 1))
        + entry * (1 << (indexBits + 65));

    q <== qAbs - 2 * qNeg * qAbs;
    shortUnits <== qNeg * qAbs;
    signal markValue <== q * mark;
    signal cost <== q * entry;
    value <== markValue - cost - shortUnits;
    som14 <== shortUnits * som;

    signal t01 <== tagBits.out[0] * tagBits.out[1];
    signal t23 <== tagBits.out[2] * tagBits.out[3];
    noRisk <== t01 * t23;
    underlying <== tag;

    component row = RowHash();
    row.tag <== tag;
    row.mark <== mark;
    row.som <== som;
    for (var k = 0; k < 16; k++) {
        row.entries[k] <== entries[k];
        entriesOut[k] <== entries[k];
    }
    var n = 1 << indexBits;
    signal sel[n];
    signal pick[n];
    component selBit[n];
    var count = 0;
    var at = 0;
    var chosen = 0;
    for (var j = 0; j < n; j++) {
        sel[j] <-- index == j ? 1 : 0;
        selBit[j] = AssertBit();
        selBit[j].in <== sel[j];
        pick[j] <== sel[j] * rows[j];
        count += sel[j];
        at += j * sel[j];
        chosen += pick[j];
    }
    count === 1;
    at === index;
    (row.out - chosen) * qAbs === 0;
}
