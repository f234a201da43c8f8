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

    /// @notice PayoutRefused reasons.
    uint8 public constant REFUSED_EXPIRED = 1;
    uint8 public constant REFUSED_INSUFFICIENT_BALANCE = 2;

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
        sequence = _publishUpdate(P.ACTION_DEPOSIT, msg.sender, token, amount, balance, 0);
        emit Deposited(msg.sender, token, amount, balance, sequence);
    }

    /// @inheritdoc IMarginVault
    function execute(bytes calldata encodedVaa) external payable nonReentrant returns (uint64 sequence) {
        IWormhole.VM memory vm = _consumeFrom(encodedVaa, hubChain, hubEmitter);
        (uint8 kind, P.Payout memory o) = P.decodePayout(vm.payload);
        if (o.targetChain != wormhole.chainId() || o.vault != address(this)) revert WrongTarget(o.targetChain, o.vault);

        uint256 balance = _balances[o.account][o.token];
        // Expiry first: a stale payout is refused as such whatever the balance. The VAA is
        // consumed above, so a refused payout can never pay later (E2, E3).
        uint8 refusal = block.timestamp > o.expiry
            ? REFUSED_EXPIRED
            : balance < o.amount ? REFUSED_INSUFFICIENT_BALANCE : 0;
        if (refusal != 0) {
            // The balance is unchanged and still absolute: the hub may apply it like any update.
            uint8 action = refusal == REFUSED_EXPIRED ? P.ACTION_REFUSED_EXPIRED : P.ACTION_REFUSED_INSUFFICIENT_BALANCE;
            sequence = _publishUpdate(action, o.account, o.token, o.amount, balance, o.id);
            emit PayoutRefused(o.id, o.account, o.token, o.amount, refusal, sequence);
            return sequence;
        }
        balance -= o.amount;
        _balances[o.account][o.token] = balance;
        totalHeld[o.token] -= o.amount;

        bool liquidation = kind == P.KIND_LIQUIDATION;
        uint8 paid = liquidation ? P.ACTION_SEIZURE : P.ACTION_WITHDRAWAL;
        sequence = _publishUpdate(paid, o.account, o.token, o.amount, balance, o.id);
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

    /// @dev `payoutId` is 0 for a deposit, else the payout this update settles.
    function _publishUpdate(
        uint8 action,
        address account,
        address token,
        uint256 amount,
        uint256 balance,
        uint64 payoutId
    ) private returns (uint64) {
        return _publish(
            P.encodeCollateralUpdate(
                P.CollateralUpdate({
                    action: action,
                    chain: wormhole.chainId(),
                    account: account,
                    token: token,
                    amount: amount,
                    balance: balance,
                    payoutId: payoutId
                })
            )
        );
    }
}
