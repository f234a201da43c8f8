pragma circom 2.1.0;

include "circomlib/circuits/poseidon.circom";

// Root of a binary Poseidon Merkle tree from a leaf and its path. pathBits[i]
// is 1 when the node at level i is a right child; the caller checks the bits.
template BinaryMerkleRoot(depth) {
    signal input leaf;
    signal input pathBits[depth];
    signal input siblings[depth];
    signal output root;

    signal node[depth + 1];
    signal left[depth];
    component hash[depth];
    node[0] <== leaf;
    for (var i = 0; i < depth; i++) {
        // left = bit ? sibling : node; right = node + sibling - left
        left[i] <== node[i] + pathBits[i] * (siblings[i] - node[i]);
        hash[i] = Poseidon(2);
        hash[i].inputs[0] <== left[i];
        hash[i].inputs[1] <== node[i] + siblings[i] - left[i];
        node[i + 1] <== hash[i].out;
    }
    root <== node[depth];
}

// Root of a quaternary Poseidon Merkle tree. At level i the node sits at
// position digit = lo[i] + 2 * hi[i] among its four children; siblings[i]
// holds the other three in order. The caller checks the bits.
template QuadMerkleRoot(depth) {
    signal input leaf;
    signal input lo[depth];
    signal input hi[depth];
    signal input siblings[depth][3];
    signal output root;

    signal node[depth + 1];
    signal e3[depth];
    signal c1a[depth];
    signal c1[depth];
    signal c2a[depth];
    signal c2[depth];
    signal c0[depth];
    signal c3[depth];
    component hash[depth];
    node[0] <== leaf;
    for (var i = 0; i < depth; i++) {
        var s0 = siblings[i][0];
        var s1 = siblings[i][1];
        var s2 = siblings[i][2];
        var cur = node[i];
        // one-hot position: e0 = 1 - lo - hi + e3, e1 = lo - e3, e2 = hi - e3
        e3[i] <== lo[i] * hi[i];
        c0[i] <== s0 + (1 - lo[i] - hi[i] + e3[i]) * (cur - s0);
        c1a[i] <== s1 + (1 - lo[i] - hi[i] + e3[i]) * (s0 - s1);
        c1[i] <== c1a[i] + (lo[i] - e3[i]) * (cur - s1);
        c2a[i] <== s1 + hi[i] * (s2 - s1);
        c2[i] <== c2a[i] + (hi[i] - e3[i]) * (cur - s2);
        c3[i] <== s2 + e3[i] * (cur - s2);
        hash[i] = Poseidon(4);
        hash[i].inputs[0] <== c0[i];
        hash[i].inputs[1] <== c1[i];
        hash[i].inputs[2] <== c2[i];
        hash[i].inputs[3] <== c3[i];
        node[i + 1] <== hash[i].out;
    }
    root <== node[depth];
}
