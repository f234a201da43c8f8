// SPDX-License-Identifier: UNLICENSED
pragma solidity ^0.8.24;

import {Ownable, Ownable2Step} from "@openzeppelin/contracts/access/Ownable2Step.sol";
import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {SafeERC20} from "@openzeppelin/contracts/token/ERC20/utils/SafeERC20.sol";
import {Pausable} from "@openzeppelin/contracts/utils/Pausable.sol";
import {ReentrancyGuard} from "@openzeppelin/contracts/utils/ReentrancyGuard.sol";
import {IMarginVault} from "./interfaces/IMarginVault.sol";
import {IWormhole} from "./interfaces/IWormhole.sol";
import {XMarginPayloads as P} from "./libraries/XMarginPayloads.sol";
import {WormholeReceiver} from "./WormholeReceiver.sol";

/// @title MarginVault (see IMarginVault)
contract MarginVault is IMarginVault, WormholeReceiver, Ownable2Step, Pausable, ReentrancyGuard {
    using SafeERC20 for IERC20;

    uint16 public immutable hubChain;
    bytes32 public immutable hubEmitter;

    mapping(address token => uint256) public cap;
    mapping(address token => uint256) public totalHeld;
    mapping(address account => mapping(address token => uint256)) private _balances;

    constructor(IWormhole core, uint16 hubChain_, bytes32 hubEmitter_, address owner_)
        WormholeReceiver(core)
        Ownable(owner_)
    {
        if (hubEmitter_ == bytes32(0)) revert ZeroAddress();
        hubChain = hubChain_;
        hubEmitter = hubEmitter_;
    }

    /// @inheritdoc IMarginVault
    function allowToken(address token, uint256 newCap) external onlyOwner {
        if (token == address(0)) revert ZeroAddress();
        cap[token] = newCap;
        emit TokenAllowed(token, newCap);
    }

    /// @inheritdoc IMarginVault
    function deposit(address token, uint256 amount)
        external
        payable
        whenNotPaused
        nonReentrant
        returns (uint64 sequence)
    {
        uint256 tokenCap = cap[token];
        if (tokenCap == 0) revert TokenNotAllowed(token);
        if (amount == 0) revert ZeroAmount();
        uint256 held = totalHeld[token] + amount;
        if (held > tokenCap) revert CapExceeded(token, tokenCap, held);

        uint256 before = IERC20(token).balanceOf(address(this));
        IERC20(token).safeTransferFrom(msg.sender, address(this), amount);
        uint256 received = IERC20(token).balanceOf(address(this)) - before;
        if (received != amount) revert FeeOnTransferToken(token, amount, received);

        totalHeld[token] = held;
        uint256 balance = _balances[msg.sender][token] + amount;
        _balances[msg.sender][token] = balance;
        sequence = _publishUpdate(P.ACTION_DEPOSIT, msg.sender, token, amount, balance);
        emit Deposited(msg.sender, token, amount, balance, sequence);
    }

    /// @inheritdoc IMarginVault
    function execute(bytes calldata encodedVaa) external payable nonReentrant returns (uint64 sequence) {
        IWormhole.VM memory vm = _consumeFrom(encodedVaa, hubChain, hubEmitter);
        (uint8 kind, P.Payout memory o) = P.decodePayout(vm.payload);
        if (o.targetChain != wormhole.chainId() || o.vault != address(this)) revert WrongTarget(o.targetChain, o.vault);

        uint256 balance = _balances[o.account][o.token];
        if (balance < o.amount) revert InsufficientBalance(o.account, o.token, balance, o.amount);
        balance -= o.amount;
        _balances[o.account][o.token] = balance;
        totalHeld[o.token] -= o.amount;

        bool liquidation = kind == P.KIND_LIQUIDATION;
        sequence = _publishUpdate(liquidation ? P.ACTION_SEIZURE : P.ACTION_WITHDRAWAL, o.account, o.token, o.amount, balance);
        emit PaidOut(o.id, o.account, o.token, o.amount, o.recipient, liquidation, sequence);
        IERC20(o.token).safeTransfer(o.recipient, o.amount);
    }

    /// @inheritdoc IMarginVault
    function balanceOf(address account, address token) external view returns (uint256) {
        return _balances[account][token];
    }

    /// @inheritdoc IMarginVault
    function pause() external onlyOwner {
        _pause();
    }

    /// @inheritdoc IMarginVault
    function unpause() external onlyOwner {
        _unpause();
    }

    function _publishUpdate(uint8 action, address account, address token, uint256 amount, uint256 balance)
        private
        returns (uint64)
    {
        return _publish(
            P.encodeCollateralUpdate(
                P.CollateralUpdate({
                    action: action,
                    chain: wormhole.chainId(),
                    account: account,
                    token: token,
                    amount: amount,
                    balance: balance
                })
            )
        );
    }
}
