pragma circom 2.1.0;

include "circomlib/circuits/poseidon.circom";

// Root of a market table of 16 * groups row digests: Poseidon over each
// group of 16, then Poseidon over the groups' digests. The circuit holds the
// whole table, so the widest permutation hashes it in the fewest constraints
// (64 rows: 5 permutations, against 21 for a quaternary tree).
template TableRoot(groups) {
    signal input rows[16 * groups];
    signal output root;
    component group[groups];
    component top = Poseidon(groups);
    for (var g = 0; g < groups; g++) {
        group[g] = Poseidon(16);
        for (var k = 0; k < 16; k++) group[g].inputs[k] <== rows[16 * g + k];
        top.inputs[g] <== group[g].out;
    }
    root <== top.out;
}
