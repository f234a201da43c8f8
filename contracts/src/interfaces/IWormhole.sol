// SPDX-License-Identifier: UNLICENSED
pragma solidity ^0.8.24;

/// @title The part of the Wormhole core contract that xmargin uses
/// @notice Declared here from the core's published ABI; the deployed core is the genuine one.
interface IWormhole {
    struct Signature {
        bytes32 r;
        bytes32 s;
        uint8 v;
        uint8 guardianIndex;
    }

    struct VM {
        uint8 version;
        uint32 timestamp;
        uint32 nonce;
        uint16 emitterChainId;
        bytes32 emitterAddress;
        uint64 sequence;
        uint8 consistencyLevel;
        bytes payload;
        uint32 guardianSetIndex;
        Signature[] signatures;
        bytes32 hash;
    }

    /// @notice Publish a message; msg.value must equal messageFee().
    function publishMessage(uint32 nonce, bytes memory payload, uint8 consistencyLevel)
        external
        payable
        returns (uint64 sequence);

    /// @notice Parse a signed VAA and check its signatures against the guardian set.
    function parseAndVerifyVM(bytes calldata encodedVM)
        external
        view
        returns (VM memory vm, bool valid, string memory reason);

    function messageFee() external view returns (uint256);

    /// @notice This chain's Wormhole chain id.
    function chainId() external view returns (uint16);
}
