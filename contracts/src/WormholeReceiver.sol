// SPDX-License-Identifier: UNLICENSED
pragma solidity ^0.8.24;

import {IWormhole} from "./interfaces/IWormhole.sol";
import {IWormholeReceiver} from "./interfaces/IWormholeReceiver.sol";

/// @title Shared VAA handling: verify with the core, check the emitter, consume once, publish
abstract contract WormholeReceiver is IWormholeReceiver {
    /// @dev Finality asked of the guardians for our messages: 1 = finalized (Wormhole's "finalized" level on EVM).
    uint8 internal constant CONSISTENCY_FINALIZED = 1;

    IWormhole public immutable wormhole;
    /// @inheritdoc IWormholeReceiver
    mapping(bytes32 vaaHash => bool) public consumed;

    constructor(IWormhole core) {
        if (address(core) == address(0)) revert ZeroAddress();
        wormhole = core;
    }

    /// @dev A verified VAA from `emitterChain`/`emitterAddress`, marked consumed.
    function _consumeFrom(bytes calldata encodedVaa, uint16 emitterChain, bytes32 emitterAddress)
        internal
        returns (IWormhole.VM memory vm)
    {
        vm = _verified(encodedVaa);
        _consumeIfFrom(vm, emitterChain, emitterAddress);
    }

    /// @dev Check a verified VAA's emitter (a zero expected emitter is never trusted), then consume it.
    function _consumeIfFrom(IWormhole.VM memory vm, uint16 emitterChain, bytes32 emitterAddress) internal {
        if (vm.emitterChainId != emitterChain || vm.emitterAddress != emitterAddress || emitterAddress == bytes32(0)) {
            revert UnknownEmitter(vm.emitterChainId, vm.emitterAddress);
        }
        _consume(vm.hash);
    }

    function _verified(bytes calldata encodedVaa) internal view returns (IWormhole.VM memory vm) {
        bool valid;
        string memory reason;
        (vm, valid, reason) = wormhole.parseAndVerifyVM(encodedVaa);
        if (!valid) revert InvalidVaa(reason);
    }

    function _consume(bytes32 vaaHash) internal {
        if (consumed[vaaHash]) revert AlreadyConsumed(vaaHash);
        consumed[vaaHash] = true;
    }

    /// @dev Publish with exactly the core's fee, paid by the caller.
    function _publish(bytes memory payload) internal returns (uint64 sequence) {
        uint256 fee = wormhole.messageFee();
        if (msg.value != fee) revert WrongMessageFee(fee, msg.value);
        sequence = wormhole.publishMessage{value: fee}(0, payload, CONSISTENCY_FINALIZED);
    }

    function _toBytes32(address a) internal pure returns (bytes32) {
        return bytes32(uint256(uint160(a)));
    }
}
