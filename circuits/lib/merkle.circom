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
