// SPDX-License-Identifier: UNLICENSED
pragma solidity ^0.8.24;

import {IWormholeReceiver} from "./IWormholeReceiver.sol";

/// @title MarginVault: non-custodial collateral on one chain
/// @notice Holds allow-listed ERC-20 collateral per account. Every deposit publishes a
///         collateral-update message for the hub. Funds leave only on a hub-signed VAA
///         (withdrawal approval or liquidation) that names this chain and this vault,
///         and each such VAA is executed at most once: it pays, or, past its expiry or
///         beyond the account's balance, it is refused. Either way it is consumed and
///         reported to the hub (a collateral update naming the payout), so the hub
///         releases the payout's reservation. Fee-on-transfer tokens are rejected.
interface IMarginVault is IWormholeReceiver {
    /// @notice The token is not on the allow-list.
    error TokenNotAllowed(address token);
    /// @notice The deposit would take the vault's holdings of the token over its cap.
    error CapExceeded(address token, uint256 cap, uint256 wouldHold);
    /// @notice Zero amounts are not deposits.
    error ZeroAmount();
    /// @notice The token delivered a different amount than was transferred (fee-on-transfer).
    error FeeOnTransferToken(address token, uint256 expected, uint256 received);

    /// @notice A token was allowed (cap > 0) or disallowed (cap = 0).
    event TokenAllowed(address indexed token, uint256 cap);
    /// @notice Collateral arrived; `sequence` is the Wormhole sequence of its collateral update.
    event Deposited(address indexed account, address indexed token, uint256 amount, uint256 balance, uint64 sequence);
    /// @notice A withdrawal approval or liquidation paid out.
    /// @param liquidation True for a seizure (paid to `recipient`), false for a withdrawal (paid to the account).
    event PaidOut(
        uint64 indexed id,
        address indexed account,
        address indexed token,
        uint256 amount,
        address recipient,
        bool liquidation,
        uint64 sequence
    );
    /// @notice A payout was refused: consumed (never payable later), nothing moved, and
    ///         reported to the hub in the collateral update with Wormhole sequence `sequence`.
    /// @param reason 1 = expired (block.timestamp > the payout's expiry), 2 = insufficient_balance
    ///        (the account's balance here is below `amount`). Expiry is checked first.
    event PayoutRefused(
        uint64 indexed id, address indexed account, address indexed token, uint256 amount, uint8 reason, uint64 sequence
    );

    /// @notice Deposit `amount` of `token` for msg.sender; msg.value must equal the core's messageFee().
    /// @return sequence The Wormhole sequence of the collateral-update message.
    function deposit(address token, uint256 amount) external payable returns (uint64 sequence);

    /// @notice Execute a hub VAA: a withdrawal approval or a liquidation for this vault. It pays
    ///         (PaidOut) while block.timestamp <= its expiry and the account's balance covers
    ///         it; otherwise it is refused (PayoutRefused). Both consume the VAA and publish a
    ///         collateral update that names the payout, for the hub to settle it.
    /// @dev Works while paused: approved funds are never trapped. msg.value pays the
    ///      collateral-update message that reports the outcome to the hub. Anyone may call it.
    /// @return sequence The Wormhole sequence of that collateral update.
    function execute(bytes calldata encodedVaa) external payable returns (uint64 sequence);

    /// @notice Allow a token with a cap on the vault's total holdings of it (0 disallows).
    function allowToken(address token, uint256 cap) external;

    /// @notice The account's balance of the token in this vault.
    function balanceOf(address account, address token) external view returns (uint256);

    function pause() external;
    function unpause() external;
}
