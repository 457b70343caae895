/**
 * How the e2e specs reach the studio's controls since the toolbar became one row: the dataset's
 * actions live in its Actions menu.
 */
import type { Page } from '@playwright/test'

/** Opens the dataset's Actions menu and picks the item with this test id. */
export async function openAction(page: Page, testId: string): Promise<void> {
  await page.getByTestId('dataset-actions').click()
  await page.getByTestId(testId).click()
}
