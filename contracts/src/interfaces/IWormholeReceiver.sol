// SPDX-License-Identifier: UNLICENSED
pragma solidity ^0.8.24;

/// @title What every xmargin contract that consumes VAAs can revert with
interface IWormholeReceiver {
    /// @notice The core contract refused the VAA (bad signature, unknown guardian set, ...).
    /// @param reason The core contract's own reason string.
    error InvalidVaa(string reason);
    /// @notice The VAA's emitter is not the one this contract trusts for that chain.
    error UnknownEmitter(uint16 emitterChain, bytes32 emitterAddress);
    /// @notice This VAA was consumed before.
    error AlreadyConsumed(bytes32 vaaHash);
    /// @notice A message was published with msg.value other than the core's messageFee().
    error WrongMessageFee(uint256 expected, uint256 sent);
    /// @notice The message names another chain or another contract.
    error WrongTarget(uint16 targetChain, address target);
    /// @notice The message is of a kind this contract does not take.
    error UnexpectedKind(uint8 kind);
    /// @notice An address argument was zero.
    error ZeroAddress();

    /// @notice Whether the VAA with this hash was consumed here.
    function consumed(bytes32 vaaHash) external view returns (bool);
}
